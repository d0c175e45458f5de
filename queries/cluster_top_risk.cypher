// id: cluster_top_risk
// title: Top clusters by risk
// category: clusters
// revision: 1
// description: Detected clusters, highest score first, with size, lifecycle, campaign, triage
//   label and the first pieces of evidence. The starting point of a review.
// param: min_score float = 0.0 | lowest cluster score to list
// param: flagged_only boolean = false | only clusters the detector flagged
// --- table
MATCH (k:Cluster)
WHERE coalesce(k.score, 0.0) >= $min_score AND (NOT $flagged_only OR k.flagged)
RETURN k.cluster_id AS cluster_id, k.score AS score, k.flagged AS flagged,
       COUNT { (k)<-[:MEMBER_OF]-(:Account) } AS members,
       COUNT { (k)<-[:MEMBER_OF]-(x:Account) WHERE x.status = 'banned' } AS banned,
       k.lifecycle AS lifecycle, [(k)-[:PART_OF]->(c:Campaign) | c.campaign_id] AS campaigns,
       k.triage_label AS triage_label, coalesce(k.evidence, [])[..3] AS evidence
ORDER BY score DESC, members DESC, cluster_id
LIMIT $limit;
// --- graph
MATCH (k:Cluster)
WHERE coalesce(k.score, 0.0) >= $min_score AND (NOT $flagged_only OR k.flagged)
MATCH path = (k)<-[:MEMBER_OF]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (k:Cluster)
RETURN count(CASE WHEN coalesce(k.score, 0.0) >= $min_score AND (NOT $flagged_only OR k.flagged) THEN k END)
         AS matched,
       count(k) AS total
LIMIT 1;
