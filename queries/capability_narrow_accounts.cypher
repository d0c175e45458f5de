// id: capability_narrow_accounts
// title: Accounts with a narrow capability focus
// category: content
// revision: 1
// description: Busy accounts whose requests concentrate on very few capabilities (low
//   capability entropy), narrowest first. Honest general-purpose use spreads over many
//   capabilities; harvesting concentrates. Single-purpose automation is a hard negative, so
//   read it with the sharing queries.
// param: max_entropy float = 1.0 | most capability entropy, in bits
// param: min_requests integer = 100 | fewest requests for an account to be judged
// --- table
MATCH (a:Account)-[r:ASKED_FOR]->(c:Capability)
WITH a, collect([c.name, coalesce(r.requests, 0)]) AS mix, sum(coalesce(r.requests, 0)) AS total
WHERE total >= $min_requests AND total > 0
WITH a, mix, total,
     reduce(h = 0.0, m IN mix | h - CASE WHEN m[1] > 0
       THEN (toFloat(m[1]) / total) * log(toFloat(m[1]) / total) / log(2.0) ELSE 0.0 END) AS entropy,
     reduce(top = ['', -1], m IN mix | CASE WHEN m[1] > top[1] THEN m ELSE top END) AS top
WHERE entropy <= $max_entropy
RETURN a.account_id AS account_id, total AS requests, size(mix) AS capabilities, top[0] AS top_capability,
       round(toFloat(top[1]) / total, 3) AS top_share, round(entropy, 3) AS entropy_bits,
       a.status AS status, a.risk_score AS risk_score
ORDER BY entropy_bits, requests DESC, account_id
LIMIT $limit;
// --- count
MATCH (a:Account)-[r:ASKED_FOR]->(c:Capability)
WITH a, collect(coalesce(r.requests, 0)) AS counts, sum(coalesce(r.requests, 0)) AS total
WHERE total >= $min_requests AND total > 0
WITH a, reduce(h = 0.0, n IN counts | h - CASE WHEN n > 0
       THEN (toFloat(n) / total) * log(toFloat(n) / total) / log(2.0) ELSE 0.0 END) AS entropy
RETURN count(CASE WHEN entropy <= $max_entropy THEN a END) AS matched, count(a) AS total
LIMIT 1;
