// Package qfpaytest is an in-memory QF Pay gateway for tests: payments,
// queries, refunds, reversals, pre-authorization, bills, the WeChat oauth
// tools, the hosted checkout page, recurring payments (customers, card
// tokens, products, subscriptions billed on the server's clock), customs
// declarations and asynchronous notifications, with no credentials and no
// network.
// It speaks the wire protocol of the QF Pay Open API documentation, so it
// serves the qfpay SDK (qfpay.WithBaseURL(srv.URL)) as well as any other
// client.
//
//	srv := qfpaytest.NewServer(appCode, clientKey)
//	defer srv.Close()
//	client, _ := qfpay.NewClient(appCode, clientKey, qfpay.WithBaseURL(srv.URL))
//
// NewServer listens on a local httptest server at once and takes options
// (WithMerchantID, WithNotifyURL, WithNotifySchedule, WithAutoPay,
// WithClock, WithPendingQueries, WithSeed, WithLogger, WithAdmin). With WithoutListener it does
// not listen: it is an http.Handler to serve at an address of your own, as
// cmd/qfpay-sandbox does; its URL is then empty and the links it hands out
// use each request's Host.
//
// # Checks
//
// Every API call is checked as the gateway does, in this order, and refused
// with HTTP 200 and a JSON answer {"respcd", "resperr", "respmsg"}:
//
//   - the HTTP method (405 with respcd 1104);
//   - the parameters: the form body of a POST (the query string when the
//     body is empty, as the documentation's JSAPI sample sends them), the
//     query string of a GET; a Content-Type other than
//     application/x-www-form-urlencoded is 1103, except application/json
//     to the recurring endpoints (see Recurring payments);
//   - X-QF-APPCODE missing or unknown: 1106;
//   - X-QF-SIGN missing or not the signature of the parameters received,
//     with MD5 or, under X-QF-SIGNTYPE: SHA256, SHA256 (either letter case):
//     1108;
//   - txzone not ±HHMM: 1103;
//   - mchid: see WithMerchantID (1104 missing, 1241 unknown);
//   - each endpoint's parameters: a mandatory one missing or a value not
//     accepted (unknown pay_type or txcurrcd, txamt 0, expired_time outside
//     5..120, page_size above 100, auth_code missing for a consumer-presented
//     pay type, openid/sub_openid missing for Alipay H5 and WeChat
//     JSAPI/mini program, goods_name missing for in-app, a value too long)
//     is 1104; a value of the wrong format (txamt not a whole number, txdtm
//     or start_time not YYYY-MM-DD hh:mm:ss, trade_date not YYYY-MM-DD) is
//     1103.
//
// An out_trade_no used before by any payment, refund or deduction is
// refused with 2011.
//
// # Answers
//
// Answers have the documentation's shapes with every amount and time a
// string, as in its samples, except authtrade's orig_syssn, a bare 26-digit
// number as in its sample. The samples' "respcd": 0000 (not JSON) is not
// imitated. Times are written in the request's txzone, UTC+8 by default;
// txdtm is echoed as sent. syssn is 26 digits: the date (UTC+8), "00020002"
// and a counter of the server, so ids are the same from run to run.
//
// # Payments
//
// By the mode of the pay type (qfpay.PayType.Mode):
//
//   - consumer presented (CPM): charged at once (respcd 0000), unless
//     auth_code is one of the magic codes (AuthCodePending and the others);
//   - merchant presented (MPM): answered 0000 with a qrcode; the payment
//     then waits for the customer and the query lists it with respcd 1143
//     until Server.Pay, WithAutoPay or a GET of the qrcode (a link to this
//     server, /pay/<syssn>) pays it;
//   - online: the same with pay_url instead of qrcode; the GET redirects to
//     return_url when one was given;
//   - Alipay service window H5, WeChat JSAPI and mini program, in-app: the
//     same with pay_params in the documentation's shapes (WeChat JSAPI:
//     appId, timeStamp, nonceStr, package, signType, paySign; WeChat in-app:
//     appid, partnerid, prepayid, package, noncestr, timestamp as a number,
//     sign; Alipay in-app: the sample's fields; Alipay H5: tradeNO).
//
// A payment not paid by its expired_time (default 30 minutes, 15 for a
// pre-authorization, on the server's clock) is listed with 1181.
//
// # Pending outcomes
//
// A CPM payment made with a pending magic code (AuthCodePending,
// AuthCodePasswordPending, AuthCodeSlowNetwork, AuthCodePendingThenFail)
// is answered and listed 1145 (1143, 1298) until it settles: paid and
// notified, or failed with 1205 for AuthCodePendingThenFail. It settles at
// the first of two moments: when WithPendingQueries' queries (default 2)
// have listed it, or when WithPendingFor (default DefaultPendingFor, 3s)
// has passed on the server's clock, whether or not anybody queries it.
// With the clock frozen (SetNow, Advance) that happens inside the Advance
// or SetNow that reaches it; on a running clock, a background goroutine
// settles it within a moment. Under WithPendingRefunds every refund is
// answered 1145 and settles by the same rules (then it is refunded and
// notified). Server.Pay pays a payment that waits or is pending, and
// Server.Fail makes any payment or refund not settled yet fail with a
// code of the test's choosing, listed as such from then on.
//
// # Refunds, reversal, close
//
// A refund takes all or part of what is left of a paid payment: above it
// is 1272, nothing left is 1125, an unpaid payment 1261, a closed one 1264,
// an unknown syssn 1136. The payment's cancel becomes 5 (partially
// refunded) or 3 (refunded in full). Refunds are listed by the query with
// order_type "refund" and origssn.
//
// Reversal and close cancel a payment not paid yet (waiting, pending,
// expired or failed; txamt must be its amount, else 1266): cancel becomes 1
// (reversal) or 2 (close) and a payment still waiting is listed with 1142.
// A paid payment is refused with 1260, a closed one with 1142.
//
// Each pay type is cancelled by the endpoint its wallet takes (API section
// "Reversal/ Cancel"; see CancelPath): /trade/v1/reversal for Alipay CPM
// and MPM (800101, 800108, the unified CPM 800008, the Alipay
// pre-authorizations) and WeChat Pay CPM (800208); /trade/v1/close for
// WeChat Pay MPM (800201) and the other wallets; neither for the Hong Kong
// pay types (801008, 801010, 801501, 801510, 801512, 802001, 803701,
// 803712), which the documentation says do not support cancel. The wrong
// endpoint is refused, before the payment's state is looked at, with 1104
// (request parameter error: the documentation names no code for it) and a
// respmsg naming the endpoint the pay type takes.
//
// # Pre-authorization
//
// A payment with a pre-auth pay type (801801, 801808, 801810, 801814)
// freezes its amount once paid. /trade/v1/authtrade deducts from what is
// frozen as a new payment (more than is frozen: 1272; several deductions
// may be made); /trade/v1/reversal on a paid freeze unfreezes what is left
// (txamt and txdtm not needed). A freeze with nothing left frozen is
// finished (cancel 4); it cannot be refunded (1155).
//
// # Hosted checkout
//
// The checkout page of QF Pay's current documentation lives at
// /checkstand/: a browser opens <URL>/checkstand/#/?<signed parameters>,
// as qfpay.Client.CheckoutURL builds it, and the page's script moves the
// fragment into the query (/checkstand/?<...>), which the server verifies:
// appcode (1106), sign_type md5 or sha256 and sign over every parameter
// but sign and lang, empty ones left out, hex of either case (1108), both
// answered 403; then the table's parameters (paysource ending in
// _checkout, txamt, a known txcurrcd, out_trade_no, txdtm, return_url,
// failed_url and notify_url absolute http(s) URLs, lang en, zh-hk or
// zh-cn, checkout_expired_time epoch milliseconds, mchntid the server's
// mchid, no unknown parameter), 400 with 1104 or 1103. A valid URL creates
// the order, waiting for the shopper (listed 1143, pay_type empty) until
// checkout_expired_time (default 30 minutes); the same URL again shows the
// same order, another order's out_trade_no is 2011 (409). The order page
// is plain HTML a real browser can use: the amount, the goods name, a
// list of methods (cards, Apple Pay, the Hong Kong wallets) and two
// buttons, Pay (id "pay") and Fail (id "fail"). Pay (POST
// /checkstand/pay/<syssn>, with the method chosen as pay_type, a known
// code that is not card-present, Visa / Mastercard online by default)
// pays and notifies the order and answers 303 to return_url; Fail (POST
// /checkstand/fail/<syssn>) lists it failed with CheckoutDeclineCode, not
// notified, and answers 303 to failed_url, as does a button pressed after
// the page expired (listed 1181). Server.OpenCheckout is a test browser
// for all of it: CheckoutPage.Pay and CheckoutPage.Fail press the buttons.
//
// # Payment intents
//
// /payment_element/v1/create_payment_intent (current documentation)
// takes pay_type (a code qfpay.PayType.Known reports known, such as
// qfpay.PayTypeVisaMastercardOnline or qfpay.PayTypeApplePay), txamt,
// txcurrcd (default HKD), out_trade_no (2011 when used), and optional
// return_url, failed_url and notify_url, and creates the order, waiting
// for the shopper (listed 1143) until intent_expiry, IntentLifetime later
// (then 1181). It answers payment_intent (32 hex digits) and
// intent_expiry. Server.PayIntent pays the order as the
// Payment Element would, notified like any payment; Server.DeclineIntent
// fails it with CheckoutDeclineCode.
//
// # Card pre-authorisation
//
// Server.AuthorizeIntent places a card hold for an intent's amount, as the
// Payment Element does for a card pre-authorisation: listed paid, its
// amount held (Transaction.Frozen), notified as a payment. Then, as the
// current documentation's lifecycle goes (PreAuthorized -> Captured ->
// Unfreezed, or PreAuthorized -> Unfreezed):
//
//   - /trade/v1/authtrade with the hold's syssn and txamt (txcurrcd, if
//     sent, the hold's; no out_trade_no) captures once (again: 1260; more
//     than held: 1272): a new paid payment with orig_syssn the hold's and
//     no out_trade_no, notified, refunded like any payment, and answered
//     in the documentation's shape ("Capture received"); the same path
//     still deducts from an Alipay freeze;
//   - /trade/v1/unfreeze with syssn, txdtm, the hold's out_trade_no (else
//     1267) and txamt equal to what is still held (else 1266) releases it,
//     once (again: 1264): the hold is finished (cancel 4) and the release
//     notified with notify_type unfreeze ("Void received");
//   - the hold itself cannot be refunded (1155).
//
// # Notifications
//
// With a notify URL (WithNotifyURL, Server.SetNotifyURL) every successful
// payment (deductions included) and refund is POSTed there as the gateway
// does: Content-Type application/json, the body written like Python's
// json.dumps (the documentation's field order, every value a string,
// non-ASCII as \uXXXX), X-QF-SIGN the upper-case hex MD5 of the raw body
// followed by the client key. Refund notifications add orig_syssn. An
// attempt not answered 200 with body SUCCESS is retried on
// DefaultNotifySchedule, or WithNotifySchedule's. Server.Deliveries and
// Server.WaitDeliveries show what was sent and answered.
//
// A payment made with its own notify_url (current documentation; an
// absolute http(s) URL of at most 256 characters, else 1104) is notified
// there instead of the server's URL, and so are its refunds. QF Pay does
// not say whether the gateway uses such a URL instead of the registered
// one or besides it; the server takes the first reading.
//
// # Recurring payments
//
// The customer, product and subscription endpoints of QF Pay's current
// documentation ("Recurring payments") take a form, nested values
// (products, billing_address) as fields of JSON text, or a JSON object,
// nested values embedded; either way the signature covers the same
// name=value pairs, a nested value as its compact JSON text. They take no
// mchid. Lists answer {"data": [...], "page", "page_size"}, oldest first,
// page_size up to 100 (default 10); a record named by an id the server
// does not hold is 1136.
//
//   - Customers: create, update, query (customer_id, name, phone, email),
//     delete, which cancels every subscription of the customer.
//   - Cards: the Payment Element's tokenisation is Server.TokenizeCard,
//     which answers the token id and notifies it (payment_token, NEW or
//     MATCH; CONFLICT for a card of another customer). TokenDeclined is a
//     magic token any customer may use, on which every charge is declined
//     with TokenDeclineCode.
//   - Products: type onetime (the default) or recurring, which needs an
//     interval (monthly, yearly, and hours and minutes as in QF Pay's
//     sandbox) and interval_count, one year at most; usage_type licensed.
//     Only name and description can be updated; a product a subscription
//     holds cannot be deleted (1136).
//   - Subscriptions: customer_id, token_id (the customer's), products (a
//     JSON array of recurring products sharing currency and period; 1104
//     otherwise), total_billing_cycles, start_time. The query reads the
//     id as subscription_id or as the documentation's subscritpion_id,
//     and state in either letter case; it answers in the shape of the
//     documentation's sample (completed_iteration, ISO 8601 UTC times).
//
// A subscription is created INCOMPLETE (notified) and billed on the
// server's clock: cycle n is due start_time plus n-1 periods (start_time
// defaults to now). Each due cycle is charged on the token, as a card
// payment (qfpay.PayTypeVisaMastercardOnline) the query lists and a refund takes, with a billing
// order sub_ord_<hex>_<NNNN> (trigger_by auto) and a subscription_payment
// notification, whatever the outcome. A charge paid makes the
// subscription ACTIVE, COMPLETED after total_billing_cycles. A charge
// declined makes an ACTIVE subscription PAST_DUE; the order is retried
// SubscriptionRetries times, SubscriptionRetryDelay apart (a quarter of
// the period when shorter), then the subscription is UNPAID and is billed
// no more. /subscription/v1/charge charges the failed order of a
// subscription PAST_DUE, UNPAID or INCOMPLETE at once (1136 for any other;
// TokenDeclineCode when declined, the state unchanged): paid before the
// next cycle was due, the subscription is ACTIVE again and the order's
// trigger_by manual; paid after, it is CANCELLED. An INCOMPLETE
// subscription whose first charge failed is retried alike and lapses to
// INCOMPLETE_EXPIRED when the next cycle comes unpaid. Cancelling makes
// it CANCELLED (rowDeleted 0 for one ended already). Each change of state
// is notified (notify_type subscription). The schedule runs when the
// clock is looked at: inside Advance and SetNow, and at the start of each
// recurring request; a long Advance bills every cycle it passes.
// Recurring notifications go to the server's notify URL.
//
// # Customs declaration
//
// /custom/v1/declare declares a paid WeChat Pay (trade_type weixin) or
// Alipay (alipay) payment of the server to a customs office (1136 for
// another syssn, 1104 for a payment of the other wallet): Alipay needs
// mch_customs_name, out_request_no and amount, in yuan with two decimals
// (1103 otherwise), at most the payment; a split order's order_fee must
// equal product_fee + transport_fee, with a sub_order_no and fee_type
// CNY. It answers verify_department OTHERS and a
// verify_department_trade_id. A (sub-)order declared before is 1102,
// unless WeChat Pay's action_type is MODIFY, which needs one (1136).
// /custom/v1/query (GET or POST) lists the declarations of syssn at
// customs, 1136 when none; /custom/v1/redeclare pushes them again, with
// their mch_customs_no (1104 otherwise).
//
// # Other endpoints
//
// /trade/v1/query filters by syssn, out_trade_no and pay_type (comma
// lists), respcd, and start_time/end_time on sysdtm, newest first,
// page_size up to 100. As in QF Pay's current documentation (fixed
// 2025-05-09), the range is ignored only with syssn: a search by
// out_trade_no lists only what the range holds, by default the current
// calendar month of the server's clock, at most a calendar month (1104
// beyond). A client testing against a frozen clock (SetNow) takes the
// server's with qfpay.WithClock(srv.Now), so that its windows (those of
// WaitForPayment, say) are counted from the same month.
// /download/v1/trade_bill answers a zip holding a CSV (BillColumns) of the
// day's successful payments and refunds.
// /trade/v1/add_note keeps a note (code must be the app code, else 1104).
// /tool/v1/get_weixin_oauth_code redirects to redirect_uri with a code that
// /tool/v1/get_weixin_openid accepts once, answering SandboxOpenID (so does
// a code from Server.NewWeChatCode).
//
// # Admin API
//
// WithAdmin (on in cmd/qfpay-sandbox) adds, for clients on a loopback
// address only (127.0.0.0/8, ::1; an X-Forwarded-For naming any other
// address is refused too; others get 403, as do POSTs a browser marks as
// sent by a page of another origin), a read-only status page at /
// (transactions newest first and notification deliveries, reloaded every
// 5 seconds) and a JSON API under /_sandbox/v1/ that calls the Server's
// own methods. Values are form fields (a POST body or the query string);
// refusals are {"error": "qfpay sandbox: ..."} with 400 (bad or missing
// value), 404 (unknown transaction or delivery), 405 (wrong method) or 409
// (the transaction's state does not allow it):
//
//	GET  /_sandbox/v1/transactions              {"now", "transactions": [Transaction...]}, newest first
//	POST /_sandbox/v1/pay            ref        {"transaction"}  (Server.Pay)
//	POST /_sandbox/v1/fail           ref respcd {"transaction"}  (Server.Fail; respcd default 1205)
//	POST /_sandbox/v1/expire         ref        {"transaction"}  (Server.Expire)
//	POST /_sandbox/v1/advance        by         {"now"}          (Server.Advance; a Go duration)
//	GET  /_sandbox/v1/notifications             {"notifications": [Delivery...]}, oldest first
//	POST /_sandbox/v1/notifications/redeliver  id [to]  {"notification"}  (Server.Redeliver)
//
// ref is a syssn or an out_trade_no. The answers encode Transaction and
// Delivery with their json tags, so a Go client decodes them into these
// types.
//
// # Faults
//
// Server.InjectFault breaks the answers of a path (or AllPaths), for a
// number of requests (Fault.Count) or with a probability, in every way a
// flaky network or gateway does:
//
//   - Latency: the answer is late;
//   - Status (5xx, 429 with RetryAfter) or an HTML error page of a proxy
//     or WAF (ErrorPage, or any Body and ContentType);
//   - Drop: the connection closes with no answer;
//   - Truncate: the JSON answer cut in half (with Drop: the connection
//     closes in the middle of the body);
//   - Garble: HTTP 200 with bytes that are not JSON (GarbledBody), or JSON
//     of the wrong shape with Body;
//   - Refuse: HTTP 200 with a refusal {"respcd": "1100", ...} (RefuseCode);
//   - Late: no answer, and the request processed later in the background,
//     as a gateway that got it before the client gave up.
//
// Each hits before the request is processed (nothing happens) or, with
// AfterProcessing, after it (it happened; only the answer is broken). The
// probability's draws come from WithSeed's seed: the same seed and the same
// requests in the same order meet the same faults.
package qfpaytest
