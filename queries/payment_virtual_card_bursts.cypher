// id: payment_virtual_card_bursts
// title: Bursts of virtual cards from one BIN
// category: payment
// revision: 1
// description: BINs from which several instruments of one kind (virtual cards by default) were
//   first seen within a short window: hydra operators mint cards in batches from one issuer.
//   Each BIN shows its largest burst, the accounts paying with those cards and how many of them
//   are already banned.
// param: window_hours integer = 24 | length of the burst window, in hours
// param: min_cards integer = 3 | fewest cards from one BIN within the window
// param: kind string = virtual_card | instrument kind to look at
// choices: kind = card, virtual_card, prepaid, bank
// --- table
MATCH (p:PaymentInstrument)
WHERE p.kind = $kind AND p.bin IS NOT NULL AND p.first_seen IS NOT NULL
WITH p.bin AS bin, collect(p) AS all_cards
UNWIND all_cards AS s
WITH bin, s.first_seen AS burst_start,
     [c IN all_cards WHERE c.first_seen >= s.first_seen
        AND c.first_seen < s.first_seen + duration({hours: $window_hours})] AS cards
WHERE size(cards) >= $min_cards
WITH bin, burst_start, cards
ORDER BY size(cards) DESC, burst_start
WITH bin, head(collect(burst_start)) AS burst_start, head(collect(cards)) AS cards
UNWIND cards AS c
OPTIONAL MATCH (c)<-[:PAID_WITH]-(a:Account)
WITH bin, burst_start, cards, collect(DISTINCT a) AS accounts
RETURN bin, burst_start,
       reduce(latest = burst_start, c IN cards |
         CASE WHEN c.first_seen > latest THEN c.first_seen ELSE latest END) AS burst_end,
       size(cards) AS card_count, size(accounts) AS account_count,
       size([a IN accounts WHERE a.status = 'banned']) AS banned,
       [a IN accounts | a.account_id][..25] AS account_ids,
       [c IN cards | c.instrument_id][..25] AS instrument_ids
ORDER BY card_count DESC, burst_start
LIMIT $limit;
// --- graph
MATCH (p:PaymentInstrument)
WHERE p.kind = $kind AND p.bin IS NOT NULL AND p.first_seen IS NOT NULL
WITH p.bin AS bin, collect(p) AS all_cards
UNWIND all_cards AS s
WITH bin, [c IN all_cards WHERE c.first_seen >= s.first_seen
             AND c.first_seen < s.first_seen + duration({hours: $window_hours})] AS cards
WHERE size(cards) >= $min_cards
UNWIND cards AS c
WITH DISTINCT c
MATCH path = (c)<-[:PAID_WITH]-(:Account)
RETURN path
LIMIT $limit;
// --- count
MATCH (p:PaymentInstrument)
WHERE p.kind = $kind AND p.bin IS NOT NULL
WITH p.bin AS bin, [x IN collect(p.first_seen) WHERE x IS NOT NULL] AS times
WITH bin, [t IN times WHERE size([u IN times WHERE u >= t
             AND u < t + duration({hours: $window_hours})]) >= $min_cards] AS starts
RETURN count(CASE WHEN size(starts) > 0 THEN bin END) AS matched, count(bin) AS total
LIMIT 1;
