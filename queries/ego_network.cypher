// id: ego_network
// title: Ego network of an account, IP, card or fingerprint
// category: investigation
// revision: 1
// description: Everything within k hops (at most 4) of one account, IP, payment instrument or
//   client fingerprint, over payment, connection, client and cluster edges. Nodes with more than
//   max_degree such edges (a carrier-NAT IP, a stock SDK fingerprint) are shown but not crossed,
//   so one hub does not pull in thousands of unrelated customers.
// param: node_id string | the account id, IP, instrument id or fingerprint to start from
// param: kind string = any | what node_id names; any tries all four
// param: hops integer = 2 | how far to go, 1 to 4
// param: max_degree integer = 200 | do not cross nodes with more payment, connection, client or cluster edges than this
// choices: kind = any, account, ip, instrument, fingerprint
// suggest: node_id = MATCH (a:Account) RETURN a.account_id AS value ORDER BY coalesce(a.risk_score, 0.0) DESC, value LIMIT 100
// --- table
CALL () {
  MATCH (n:Account {account_id: $node_id}) WHERE $kind IN ['any', 'account'] RETURN n
  UNION
  MATCH (n:IP {ip: $node_id}) WHERE $kind IN ['any', 'ip'] RETURN n
  UNION
  MATCH (n:PaymentInstrument {instrument_id: $node_id}) WHERE $kind IN ['any', 'instrument'] RETURN n
  UNION
  MATCH (n:ClientFingerprint {fingerprint: $node_id}) WHERE $kind IN ['any', 'fingerprint'] RETURN n
}
// Breadth-first: one shortest path to every node within 4 hops; a hub ends a path, never extends it.
MATCH p = ANY SHORTEST (n)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-(first)
  ((x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-(y) WHERE COUNT { (x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-() } <= $max_degree){0,3}
  (m)
WHERE m <> n AND length(p) <= $hops
WITH m, length(p) AS distance
RETURN labels(m)[0] AS label,
       coalesce(m.account_id, m.ip, m.instrument_id, m.fingerprint, m.cluster_id) AS id,
       distance, m.status AS status, m.risk_score AS risk_score, m.created_at AS created_at
ORDER BY distance, label, id
LIMIT $limit;
// --- graph
CALL () {
  MATCH (n:Account {account_id: $node_id}) WHERE $kind IN ['any', 'account'] RETURN n
  UNION
  MATCH (n:IP {ip: $node_id}) WHERE $kind IN ['any', 'ip'] RETURN n
  UNION
  MATCH (n:PaymentInstrument {instrument_id: $node_id}) WHERE $kind IN ['any', 'instrument'] RETURN n
  UNION
  MATCH (n:ClientFingerprint {fingerprint: $node_id}) WHERE $kind IN ['any', 'fingerprint'] RETURN n
}
// Breadth-first: one shortest path to every node within 4 hops; a hub ends a path, never extends it.
MATCH p = ANY SHORTEST (n)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-(first)
  ((x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-(y) WHERE COUNT { (x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|MEMBER_OF]-() } <= $max_degree){0,3}
  (m)
WHERE m <> n AND length(p) <= $hops
RETURN p AS path
LIMIT $limit;
