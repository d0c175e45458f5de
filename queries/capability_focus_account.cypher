// id: capability_focus_account
// title: Capability focus of one account
// category: content
// revision: 1
// description: What one account asks for: its requests per capability (the provider's prompt
//   classifier labels), each capability's share, and the account's capability entropy in bits.
//   Distillation accounts focus narrowly (low entropy) on what the operator wants to harvest.
// param: account_id string | the account
// suggest: account_id = MATCH (a:Account) RETURN a.account_id AS value ORDER BY coalesce(a.risk_score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (a:Account {account_id: $account_id})-[r:ASKED_FOR]->(c:Capability)
WITH collect([c.name, coalesce(r.requests, 0)]) AS mix, sum(coalesce(r.requests, 0)) AS total
WITH mix, total,
     reduce(h = 0.0, m IN mix | h - CASE WHEN total > 0 AND m[1] > 0
       THEN (toFloat(m[1]) / total) * log(toFloat(m[1]) / total) / log(2.0) ELSE 0.0 END) AS entropy
UNWIND mix AS m
RETURN m[0] AS capability, m[1] AS requests,
       round(toFloat(m[1]) / CASE WHEN total > 0 THEN total ELSE 1 END, 4) AS share,
       round(entropy, 3) AS entropy_bits
ORDER BY requests DESC, capability
LIMIT $limit;
// --- graph
MATCH path = (:Account {account_id: $account_id})-[:ASKED_FOR]->(:Capability)
RETURN path
LIMIT $limit;
// --- count
MATCH (c:Capability)
RETURN count(CASE WHEN EXISTS { (:Account {account_id: $account_id})-[:ASKED_FOR]->(c) } THEN c END) AS matched,
       count(c) AS total
LIMIT 1;
