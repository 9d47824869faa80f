package qfpay

import (
	"context"
	"fmt"
	"iter"
	"time"
)

// DefaultTransactionsPageSize is the page size Transactions asks for when
// the request sets none.
const DefaultTransactionsPageSize = MaxPageSize

// Transactions lists every transaction req selects, page after page (POST
// /trade/v1/query, API section "Transaction Enquiry"), for use in a range
// loop:
//
//	for tx, err := range client.Transactions(ctx, req) {
//		if err != nil {
//			return err
//		}
//		...
//	}
//
// It asks for pages 1, 2, ... (req.Page is ignored) of req.PageSize
// transactions (DefaultTransactionsPageSize when 0) and stops after a short
// or empty page, or when the loop breaks. An error is yielded once, with a
// nil transaction, and ends the sequence.
//
// The API answers time ranges within one calendar month only, so a Start to
// End range over several calendar months (in the client's location) is
// queried month by month: Start to the end of its month (23:59:59), each
// whole month between, then the first of End's month to End. A zero Start or
// End means the start or end of the current month, as for Query; both zero
// list the current month. A request by SysSNs is not split, since the
// gateway ignores the range then; one by OutTradeNos is, since it does not
// (QF Pay's current documentation). req is not modified.
func (c *Client) Transactions(ctx context.Context, req *QueryRequest) iter.Seq2[*Transaction, error] {
	return func(yield func(*Transaction, error) bool) {
		var base QueryRequest
		if req != nil {
			base = *req
		}
		if base.PageSize == 0 {
			base.PageSize = DefaultTransactionsPageSize
		}
		ranges, err := c.queryRanges(&base)
		if err != nil {
			yield(nil, err)
			return
		}
		for _, r := range ranges {
			q := base
			q.Start, q.End = r[0], r[1]
			if !c.pages(ctx, &q, yield) {
				return
			}
		}
	}
}

// pages yields every transaction of q's pages; it reports whether the
// caller wants more.
func (c *Client) pages(ctx context.Context, q *QueryRequest, yield func(*Transaction, error) bool) bool {
	firstOfLast := ""
	for page := 1; ; page++ {
		q.Page = page
		resp, err := c.Query(ctx, q)
		if err != nil {
			yield(nil, err)
			return false
		}
		txs := resp.Transactions
		if len(txs) > 0 && page > 1 && txs[0].SysSN != "" && txs[0].SysSN == firstOfLast {
			yield(nil, fmt.Errorf("%w: %s: page %d repeats page %d (syssn %s): the gateway ignored page", ErrMalformedResponse, epQuery.path, page, page-1, firstOfLast))
			return false
		}
		for i := range txs {
			if !yield(&txs[i], nil) {
				return false
			}
		}
		// A gateway that serves smaller pages than asked says so in
		// page_size; a page is short against what it serves.
		size := q.PageSize
		if resp.PageSize > 0 && resp.PageSize < size {
			size = resp.PageSize
		}
		if len(txs) < size {
			return true
		}
		firstOfLast = txs[0].SysSN
	}
}

// queryRanges splits q's Start to End at calendar month boundaries in the
// client's location. A request with both times zero, or selecting by
// syssn, is one range as it is.
func (c *Client) queryRanges(q *QueryRequest) ([][2]time.Time, error) {
	start, end := q.Start, q.End
	if (start.IsZero() && end.IsZero()) || len(q.SysSNs) > 0 {
		return [][2]time.Time{{start, end}}, nil
	}
	now := c.now().In(c.loc)
	if start.IsZero() {
		start = monthStart(now)
	}
	if end.IsZero() {
		end = monthStart(now).AddDate(0, 1, 0).Add(-time.Second)
	}
	start, end = start.In(c.loc), end.In(c.loc)
	if end.Before(start) {
		return nil, invalidField("end_time", "End %v is before Start %v", end, start)
	}
	var out [][2]time.Time
	for from := start; !from.After(end); {
		next := monthStart(from).AddDate(0, 1, 0)
		to := next.Add(-time.Second)
		if to.After(end) {
			to = end
		}
		out = append(out, [2]time.Time{from, to})
		from = next
	}
	return out, nil
}

// monthStart is midnight of the first day of t's month, in t's location.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, t.Location())
}
