// id: account_shortest_path
// title: Shortest path between two accounts over shared infrastructure
// category: investigation
// revision: 1
// description: How two accounts connect: the shortest chain of shared payment instruments,
//   IPs, client fingerprints and proxy services between them (at most 8 hops). Nodes with more
//   than max_degree such edges are not crossed, so the answer is never "both used the same
//   carrier NAT".
// param: from_account string | the first account
// param: to_account string | the second account
// param: max_degree integer = 200 | do not cross nodes with more payment, connection, client or proxy edges than this
// suggest: from_account = MATCH (a:Account) RETURN a.account_id AS value ORDER BY coalesce(a.risk_score, 0.0) DESC, value LIMIT 100
// suggest: to_account = MATCH (a:Account) RETURN a.account_id AS value ORDER BY coalesce(a.risk_score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (a:Account {account_id: $from_account}), (b:Account {account_id: $to_account})
MATCH p = ANY SHORTEST (a)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-(first)
  ((x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-(y) WHERE COUNT { (x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-() } <= $max_degree){0,7}
  (b)
RETURN length(p) AS hops,
       [x IN nodes(p) | labels(x)[0] + ' ' + coalesce(x.account_id, x.ip, x.instrument_id, x.fingerprint,
                                                   x.service_id)] AS nodes,
       [r IN relationships(p) | type(r)] AS relationships
LIMIT $limit;
// --- graph
MATCH (a:Account {account_id: $from_account}), (b:Account {account_id: $to_account})
MATCH p = ANY SHORTEST (a)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-(first)
  ((x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-(y) WHERE COUNT { (x)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT|EGRESS_OF]-() } <= $max_degree){0,7}
  (b)
RETURN p AS path
LIMIT $limit;
