// Comunica (@comunica/query-sparql) against a basel-kg server: SELECT, ASK and CONSTRUCT sent to
// the SPARQL endpoint, and a SELECT over an entity URL read as a plain Linked Data document
// (Comunica negotiates the format; it asks for N-Quads first).
// Usage: node comunica.mjs ENDPOINT_URL ENTITY_URL ENTITY_IRI   -> one JSON object on stdout
import { QueryEngine } from '@comunica/query-sparql';

const [endpoint, entityUrl, iri] = process.argv.slice(2);
const engine = new QueryEngine();
const endpointSource = { sources: [{ type: 'sparql', value: endpoint }] };
const term = (t) => ({ termType: t.termType, value: t.value, language: t.language || undefined,
  datatype: t.termType === 'Literal' ? t.datatype.value : undefined });

const select = await engine.queryBindings(
  `SELECT ?label WHERE { <${iri}> <http://www.w3.org/2000/01/rdf-schema#label> ?label }`, endpointSource);
const ask = await engine.queryBoolean(`ASK { <${iri}> ?p ?o }`, endpointSource);
const construct = await engine.queryQuads(`CONSTRUCT { <${iri}> ?p ?o } WHERE { <${iri}> ?p ?o }`, endpointSource);
const document = await engine.queryBindings(`SELECT ?p ?o WHERE { <${iri}> ?p ?o }`, { sources: [entityUrl] });

console.log(JSON.stringify({
  select: (await select.toArray()).map((b) => term(b.get('label'))),
  ask,
  construct: (await construct.toArray()).map((q) => [term(q.subject), term(q.predicate), term(q.object)]),
  document: (await document.toArray()).map((b) => [term(b.get('p')), term(b.get('o'))]),
}));
