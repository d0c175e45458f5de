// id: account_signup_bursts
// title: Bursts of new accounts on one IP, instrument or fingerprint
// category: timing
// revision: 1
// description: Infrastructure (an IP, a payment instrument or a client fingerprint) on which
//   several accounts were created within a short window: hydra heads are registered in batches
//   from the same machines and cards. Each piece of infrastructure shows its largest burst;
//   infrastructure shared by more than max_sharing accounts is ignored.
// param: hours integer = 24 | length of the burst window, in hours
// param: min_accounts integer = 3 | fewest accounts created within the window
// param: max_sharing integer = 200 | ignore infrastructure shared by more accounts than this
// --- table
MATCH (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(a:Account)
WHERE a.created_at IS NOT NULL
WITH x, collect(DISTINCT a) AS accounts
WHERE size(accounts) >= $min_accounts AND size(accounts) <= $max_sharing
UNWIND accounts AS s
WITH x, s.created_at AS burst_start,
     [b IN accounts WHERE b.created_at >= s.created_at
        AND b.created_at < s.created_at + duration({hours: $hours})] AS burst
WHERE size(burst) >= $min_accounts
WITH x, burst_start, burst
ORDER BY size(burst) DESC, burst_start
WITH x, head(collect(burst_start)) AS burst_start, head(collect(burst)) AS burst
RETURN labels(x)[0] AS kind, coalesce(x.ip, x.instrument_id, x.fingerprint) AS infrastructure,
       burst_start, size(burst) AS accounts,
       size([b IN burst WHERE b.status = 'banned']) AS banned,
       [b IN burst | b.account_id][..25] AS account_ids
ORDER BY accounts DESC, burst_start, infrastructure
LIMIT $limit;
// --- count
MATCH (x)<-[:CONNECTED_FROM|PAID_WITH|USED_CLIENT]-(a:Account)
WHERE a.created_at IS NOT NULL
WITH x, collect(a.created_at) AS times, count(DISTINCT a) AS n
WITH x, n, [t IN times WHERE size([u IN times WHERE u >= t AND u < t + duration({hours: $hours})]) >= $min_accounts]
       AS starts
RETURN count(CASE WHEN n <= $max_sharing AND size(starts) > 0 THEN x END) AS matched, count(x) AS total
LIMIT 1;
