// id: capability_focus_cluster
// title: Capability focus of one cluster
// category: content
// revision: 1
// description: What the members of one detected cluster ask for together: requests per
//   capability, each capability's share and how many members asked for it, with the cluster's
//   capability entropy in bits. Campaigns differ here (reasoning and chain-of-thought
//   elicitation; agentic coding and tool use; vision).
// param: cluster_id string | the cluster
// suggest: cluster_id = MATCH (k:Cluster) RETURN k.cluster_id AS value ORDER BY coalesce(k.score, 0.0) DESC, value LIMIT 100
// --- table
MATCH (:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(a:Account)-[r:ASKED_FOR]->(c:Capability)
WITH c.name AS capability, sum(coalesce(r.requests, 0)) AS requests, count(DISTINCT a) AS members
WITH collect([capability, requests, members]) AS mix, sum(requests) AS total
WITH mix, total,
     reduce(h = 0.0, m IN mix | h - CASE WHEN total > 0 AND m[1] > 0
       THEN (toFloat(m[1]) / total) * log(toFloat(m[1]) / total) / log(2.0) ELSE 0.0 END) AS entropy
UNWIND mix AS m
RETURN m[0] AS capability, m[1] AS requests, m[2] AS members,
       round(toFloat(m[1]) / CASE WHEN total > 0 THEN total ELSE 1 END, 4) AS share,
       round(entropy, 3) AS entropy_bits
ORDER BY requests DESC, capability
LIMIT $limit;
// --- graph
MATCH path = (:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(:Account)-[:ASKED_FOR]->(:Capability)
RETURN path
LIMIT $limit;
// --- count
MATCH (c:Capability)
RETURN count(CASE WHEN EXISTS { (:Cluster {cluster_id: $cluster_id})<-[:MEMBER_OF]-(:Account)-[:ASKED_FOR]->(c) }
                  THEN c END) AS matched,
       count(c) AS total
LIMIT 1;
