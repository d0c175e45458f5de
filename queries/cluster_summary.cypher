// id: cluster_summary
// title: Cluster summary with evidence
// category: clusters
// revision: 1
// description: One detected cluster on one row: its score, lifecycle, campaign, the detector's
//   evidence (each item with its numbers), the members, their traffic, and the infrastructure
//   at least two members share. The drawing shows members with the infrastructure they share.
// param: cluster_id string | the cluster
// suggest: cluster_id = MATCH (k:Cluster) RETURN k.cluster_id AS value ORDER BY coalesce(k.score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (k:Cluster {cluster_id: $cluster_id})
MATCH (a:Account)-[:MEMBER_OF]->(k)
WITH k, collect(a) AS members
CALL (k) {
  MATCH (k)<-[:MEMBER_OF]-(:Account)-[:PAID_WITH]->(p:PaymentInstrument)
  WITH p, count(*) AS n WHERE n >= 2
  RETURN count(p) AS shared_instruments
}
CALL (k) {
  MATCH (k)<-[:MEMBER_OF]-(:Account)-[:CONNECTED_FROM]->(i:IP)
  WITH i, count(*) AS n WHERE n >= 2
  RETURN count(i) AS shared_ips
}
CALL (k) {
  MATCH (k)<-[:MEMBER_OF]-(:Account)-[:USED_CLIENT]->(f:ClientFingerprint)
  WITH f, count(*) AS n WHERE n >= 2
  RETURN count(f) AS shared_fingerprints
}
CALL (k) {
  MATCH (k)<-[:MEMBER_OF]-(:Account)-[:SENT]->(t:PromptTemplate)
  WITH t, count(*) AS n WHERE n >= 2
  RETURN count(t) AS shared_templates
}
RETURN k.cluster_id AS cluster_id, k.score AS score, k.flagged AS flagged, k.lifecycle AS lifecycle,
       k.triage_label AS triage_label,
       [(k)-[:PART_OF]->(c:Campaign) | c.campaign_id] AS campaigns,
       size(members) AS members, size([a IN members WHERE a.status = 'banned']) AS banned,
       reduce(s = 0, a IN members | s + coalesce(a.requests, 0)) AS requests,
       shared_instruments, shared_ips, shared_fingerprints, shared_templates,
       k.evidence AS evidence, [a IN members | a.account_id][..50] AS account_ids
LIMIT $limit;
// --- graph
MATCH (k:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(a:Account)
MATCH path = (a)-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT]->(x)
WHERE COUNT { (x)<-[:PAID_WITH|CONNECTED_FROM|USED_CLIENT]-(:Account)-[:MEMBER_OF]->(k) } >= 2
RETURN path
LIMIT $limit;
// --- count
MATCH (a:Account)
RETURN count(CASE WHEN EXISTS { (a)-[:MEMBER_OF]->(:Cluster {cluster_id: $cluster_id}) } THEN a END) AS matched,
       count(a) AS total
LIMIT 1;
