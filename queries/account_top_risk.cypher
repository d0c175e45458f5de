// id: account_top_risk
// title: Top accounts by risk score
// category: clusters
// revision: 1
// description: Accounts with the highest detector risk score, with the detector's reasons,
//   their cluster and campaign, status and triage state: the ban-list candidates.
// param: min_score float = 0.5 | lowest risk score to list
// param: include_banned boolean = false | list accounts that are already banned too
// --- table
MATCH (a:Account)
WHERE a.risk_score >= $min_score AND ($include_banned OR coalesce(a.status, 'active') <> 'banned')
RETURN a.account_id AS account_id, a.risk_score AS risk_score, a.status AS status,
       a.created_at AS created_at, a.requests AS requests,
       [(a)-[:MEMBER_OF]->(k:Cluster) | k.cluster_id] AS clusters,
       [(a)-[:MEMBER_OF]->(:Cluster)-[:PART_OF]->(c:Campaign) | c.campaign_id] AS campaigns,
       a.triage_label AS triage_label, coalesce(a.risk_reasons, [])[..3] AS reasons
ORDER BY risk_score DESC, account_id
LIMIT $limit;
// --- count
MATCH (a:Account)
RETURN count(CASE WHEN a.risk_score >= $min_score
                  AND ($include_banned OR coalesce(a.status, 'active') <> 'banned') THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
