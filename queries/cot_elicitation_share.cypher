// id: cot_elicitation_share
// title: Chain-of-thought elicitation share per account
// category: content
// revision: 2
// description: Accounts ranked by the share of their requests classified as chain-of-thought
//   elicitation ("articulate the internal reasoning behind a completed response step by step"),
//   a hallmark of reasoning-trace harvesting. Researchers running reasoning benchmarks are the
//   hard negative: check the organisation and the sharing queries before acting.
// param: capability string = cot_elicitation | the capability label to measure
// param: min_share float = 0.2 | smallest share of the account's requests
// param: min_requests integer = 50 | fewest requests for an account to be judged
// --- table
MATCH (a:Account)-[r:ASKED_FOR]->(c:Capability)
WITH a, sum(coalesce(r.requests, 0)) AS total,
     sum(CASE WHEN c.name = $capability THEN coalesce(r.requests, 0) ELSE 0 END) AS focus
WHERE total >= $min_requests AND focus > 0 AND toFloat(focus) / total >= $min_share
RETURN a.account_id AS account_id, focus AS capability_requests, total AS requests,
       round(toFloat(focus) / total, 3) AS share, a.org_id AS org_id,
       COUNT { (a)-[:SENT]->(:PromptTemplate) } + coalesce(a.solo_templates, 0) AS templates,
       a.status AS status, a.risk_score AS risk_score
ORDER BY share DESC, requests DESC, account_id
LIMIT $limit;
// --- graph
MATCH (c:Capability {name: $capability})<-[r:ASKED_FOR]-(a:Account)
WHERE coalesce(r.requests, 0) >= $min_requests * $min_share
MATCH path = (a)-[:SENT]->(:PromptTemplate)
RETURN path
LIMIT $limit;
// --- count
MATCH (a:Account)-[r:ASKED_FOR]->(c:Capability)
WITH a, sum(coalesce(r.requests, 0)) AS total,
     sum(CASE WHEN c.name = $capability THEN coalesce(r.requests, 0) ELSE 0 END) AS focus
WHERE total >= $min_requests
RETURN count(CASE WHEN focus > 0 AND toFloat(focus) / total >= $min_share THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
