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
const fromNquads = await canonize.canonize(readFileSync(nquadsPath, 'utf8'), {
  algorithm: 'RDFC-1.0', inputFormat: 'application/n-quads', format: 'application/n-quads' });

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
