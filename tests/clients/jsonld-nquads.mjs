// jsonld.js reads the release's JSON-LD offline (a document loader that refuses every fetch:
// the context must be embedded), and both it and the N-Quads dump are canonicalised with
// RDFC-1.0 (URDNA2015): the two must be the same dataset.
// Usage: node jsonld-nquads.mjs RELEASE.jsonld RELEASE.nq   -> one JSON object on stdout
import { readFileSync } from 'node:fs';
import jsonld from 'jsonld';
import canonize from 'rdf-canonize';

const [jsonldPath, nquadsPath] = process.argv.slice(2);
const fetched = [];
const documentLoader = async (url) => { fetched.push(url); throw new Error(`offline: will not fetch ${url}`); };

const doc = JSON.parse(readFileSync(jsonldPath, 'utf8'));
const expanded = await jsonld.expand(doc, { documentLoader, safe: true });
const fromJsonld = await jsonld.canonize(expanded, {
  algorithm: 'RDFC-1.0', format: 'application/n-quads', documentLoader, safe: true });
// rdf-canonize 5.0.0 gives a wrong (non-canonical) labelling when the input's own blank node
// labels look like its canonical ones (_:c14n0...), as in our dump: rename them first.
const dataset = canonize.NQuads.parse(readFileSync(nquadsPath, 'utf8'));
for (const quad of dataset) {
  for (const term of [quad.subject, quad.object, quad.graph]) {
    if (term.termType === 'BlankNode') term.value = `in-${term.value}`;
  }
}
const fromNquads = await canonize.canonize(dataset, { algorithm: 'RDFC-1.0', format: 'application/n-quads' });

const lines = (text) => new Set(text.split('\n').filter((l) => l));
const a = lines(fromJsonld), b = lines(fromNquads);
console.log(JSON.stringify({
  fetched,
  expandedNodes: expanded.length,
  jsonldQuads: a.size,
  nquadsQuads: b.size,
  same: fromJsonld === fromNquads,
  onlyInJsonld: [...a].filter((l) => !b.has(l)).slice(0, 5),
  onlyInNquads: [...b].filter((l) => !a.has(l)).slice(0, 5),
}));
