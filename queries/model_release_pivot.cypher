// id: model_release_pivot
// title: Traffic moving to a model right after its release
// category: timing
// revision: 2
// description: Accounts active before a model's release whose first call to that model came
//   within N hours of the release, with the share of their traffic that went to it. A campaign
//   redirected about half its traffic to a new model within 24 hours of its release; honest
//   early adopters try a new model too, but with a small share of their traffic (min_share).
// param: model string = null | only this model; null for every model with a release time
// param: hours integer = 24 | how soon after the release counts as a pivot
// param: min_requests integer = 10 | fewest requests to the new model (an early adopter tries it a few times)
// param: min_share float = 0.1 | smallest share of the account's traffic (over all time) that went to the new model
// suggest: model = MATCH (m:Model) WHERE m.released_at IS NOT NULL RETURN m.name AS value ORDER BY m.released_at DESC LIMIT 50
// --- table
MATCH (m:Model)
WHERE m.released_at IS NOT NULL AND ($model IS NULL OR m.name = $model)
MATCH (a:Account)-[r:CALLED]->(m)
WHERE r.first_seen >= m.released_at AND r.first_seen < m.released_at + duration({hours: $hours})
  AND coalesce(r.requests, 0) >= $min_requests
  AND (a.first_seen IS NULL OR a.first_seen < m.released_at)
WITH m, a, r, reduce(s = 0, v IN [(a)-[x:CALLED]->(:Model) | coalesce(x.requests, 0)] | s + v) AS account_requests
WHERE toFloat(coalesce(r.requests, 0)) >= $min_share * account_requests
RETURN m.name AS model, m.released_at AS released_at, a.account_id AS account_id, r.first_seen AS first_call,
       round(duration.inSeconds(m.released_at, r.first_seen).seconds / 3600.0, 1) AS hours_after_release,
       r.requests AS requests_to_model,
       round(toFloat(coalesce(r.requests, 0)) / CASE WHEN account_requests > 0 THEN account_requests ELSE 1 END, 3)
         AS share_to_model,
       [(a)-[:MEMBER_OF]->(k:Cluster) | k.cluster_id] AS clusters
ORDER BY model, hours_after_release, account_id
LIMIT $limit;
// --- graph
MATCH (m:Model)
WHERE m.released_at IS NOT NULL AND ($model IS NULL OR m.name = $model)
MATCH path = (a:Account)-[r:CALLED]->(m)
WHERE r.first_seen >= m.released_at AND r.first_seen < m.released_at + duration({hours: $hours})
  AND coalesce(r.requests, 0) >= $min_requests
  AND (a.first_seen IS NULL OR a.first_seen < m.released_at)
  AND toFloat(coalesce(r.requests, 0))
      >= $min_share * reduce(s = 0, v IN [(a)-[x:CALLED]->(:Model) | coalesce(x.requests, 0)] | s + v)
RETURN path
LIMIT $limit;
// --- count
MATCH (m:Model)
WHERE m.released_at IS NOT NULL AND ($model IS NULL OR m.name = $model)
MATCH (a:Account)-[r:CALLED]->(m)
WITH a, r, m,
     r.first_seen >= m.released_at AND r.first_seen < m.released_at + duration({hours: $hours})
       AND coalesce(r.requests, 0) >= $min_requests
       AND (a.first_seen IS NULL OR a.first_seen < m.released_at)
       AND toFloat(coalesce(r.requests, 0))
           >= $min_share * reduce(s = 0, v IN [(a)-[x:CALLED]->(:Model) | coalesce(x.requests, 0)] | s + v)
       AS pivot
RETURN count(DISTINCT CASE WHEN pivot THEN a END) AS matched, count(DISTINCT a) AS total
LIMIT 1;
