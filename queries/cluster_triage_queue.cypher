// id: cluster_triage_queue
// title: Flagged clusters waiting for triage
// category: clusters
// revision: 1
// description: Clusters the detector flagged that no analyst has labelled yet (confirmed,
//   false_positive or allowlisted), highest score first, with the newest member's creation
//   time so that growing clusters surface.
// param: min_score float = 0.0 | lowest cluster score to list
// --- table
MATCH (k:Cluster)
WHERE k.flagged AND k.triage_label IS NULL AND coalesce(k.score, 0.0) >= $min_score
MATCH (a:Account)-[:MEMBER_OF]->(k)
WITH k, count(a) AS members, max(a.created_at) AS newest_member_created,
     count(CASE WHEN a.status = 'banned' THEN 1 END) AS banned
RETURN k.cluster_id AS cluster_id, k.score AS score, members, banned, newest_member_created,
       k.lifecycle AS lifecycle, k.first_detected_at AS first_detected_at,
       coalesce(k.evidence, [])[..3] AS evidence
ORDER BY score DESC, members DESC, cluster_id
LIMIT $limit;
// --- count
MATCH (k:Cluster)
WHERE k.flagged
RETURN count(CASE WHEN k.triage_label IS NULL AND coalesce(k.score, 0.0) >= $min_score THEN k END) AS matched,
       count(k) AS total
LIMIT 1;
