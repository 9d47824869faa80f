package qfpay_test

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

// sandboxStart is when the examples' sandbox clock stands still: 1 March
// 2024, 10:00 in Hong Kong.
var sandboxStart = time.Date(2024, 3, 1, 10, 0, 0, 0, time.FixedZone("HKT", 8*60*60))

// recurringSandbox starts a sandbox whose clock stands still at
// sandboxStart (srv.Advance moves it), and a client for it.
func recurringSandbox(opts ...qfpaytest.Option) (*qfpaytest.Server, *qfpay.Client) {
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, opts...)
	srv.SetNow(sandboxStart)
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey, qfpay.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	return srv, client
}

// subscribe makes a customer with a card token, a product of HKD 99.00 a
// month and a subscription of the customer to two of it.
func subscribe(ctx context.Context, srv *qfpaytest.Server, client *qfpay.Client) *qfpay.Subscription {
	customer, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "Chan Tai Man"})
	if err != nil {
		log.Fatal(err)
	}
	token, err := srv.TokenizeCard(customer.ID, "5200000000001096")
	if err != nil {
		log.Fatal(err)
	}
	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Milk tea club", Type: qfpay.ProductRecurring,
		Amount: 9900, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 1})
	if err != nil {
		log.Fatal(err)
	}
	sub, err := client.CreateSubscription(ctx, &qfpay.SubscriptionRequest{CustomerID: customer.ID, TokenID: token,
		Products: []qfpay.SubscriptionItem{{ProductID: product.ID, Quantity: 2}}})
	if err != nil {
		log.Fatal(err)
	}
	return sub
}

// current is the subscription id as the gateway lists it now.
func current(ctx context.Context, client *qfpay.Client, id string) *qfpay.Subscription {
	for s, err := range client.QuerySubscription(ctx, &qfpay.SubscriptionQuery{ID: id}) {
		if err != nil {
			log.Fatal(err)
		}
		return s
	}
	log.Fatalf("no subscription %s", id)
	return nil
}

// A merchant sells a monthly milk tea club: the customer's card token
// arrives by notification, and QF Pay charges it each month.
func ExampleClient_CreateSubscription() {
	ctx := context.Background()
	// The merchant's notification endpoint keeps the card tokens.
	tokens := make(chan string, 1)
	shop := httptest.NewServer(qfpay.NotificationHandler(qfpaytest.SandboxClientKey,
		func(ctx context.Context, n *qfpay.Notification) error {
			if n.Type == qfpay.NotifyPaymentToken {
				tk, err := n.PaymentToken()
				if err != nil {
					return err
				}
				tokens <- tk.TokenID
			}
			return nil
		}))
	defer shop.Close()
	srv, client := recurringSandbox(qfpaytest.WithNotifyURL(shop.URL))
	defer srv.Close()

	customer, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "Chan Tai Man", Email: "tm.chan@example.com"})
	if err != nil {
		log.Fatal(err)
	}
	// The customer enters a card in the Payment Element (given
	// customer.ID); here the sandbox plays it.
	if _, err := srv.TokenizeCard(customer.ID, "5200000000001096"); err != nil {
		log.Fatal(err)
	}
	token := <-tokens

	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{
		Name: "Milk tea club", Type: qfpay.ProductRecurring, Amount: 9900, Currency: qfpay.CurrencyHKD,
		Interval: qfpay.IntervalMonthly, IntervalCount: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	sub, err := client.CreateSubscription(ctx, &qfpay.SubscriptionRequest{
		CustomerID: customer.ID, TokenID: token,
		Products:           []qfpay.SubscriptionItem{{ProductID: product.ID, Quantity: 2}},
		TotalBillingCycles: 12,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("created:", sub.Status)

	srv.Advance(31 * 24 * time.Hour) // a month later
	s := current(ctx, client, sub.ID)
	fmt.Println("cycles charged:", s.CompletedIterations, "of", s.TotalBillingCycles)
	fmt.Println("next charge:", s.NextBillingTime.Format(time.DateTime))
	// Output:
	// created: ACTIVE
	// cycles charged: 2 of 12
	// next charge: 2024-05-01 10:00:00
}

// A customer's card stops paying: the cycle fails, QF Pay retries it, the
// subscription turns PAST_DUE then UNPAID. With a new card the merchant
// charges the failed order at once.
func ExampleClient_ChargeSubscription() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)
	s := current(ctx, client, sub.ID)

	// The card stops paying (TokenDeclined declines every charge).
	if _, err := client.UpdateSubscription(ctx, sub.ID, &qfpay.SubscriptionUpdate{TokenID: qfpaytest.TokenDeclined}); err != nil {
		log.Fatal(err)
	}
	srv.Advance(31 * 24 * time.Hour)
	fmt.Println("after the charge failed:", current(ctx, client, sub.ID).Status)
	srv.Advance(3 * time.Hour)
	fmt.Println("after the retries:", current(ctx, client, sub.ID).Status)

	// The customer gives a new card; charge the failed order now.
	token, err := srv.TokenizeCard(s.CustomerID, "4111111111111111")
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.UpdateSubscription(ctx, sub.ID, &qfpay.SubscriptionUpdate{TokenID: token}); err != nil {
		log.Fatal(err)
	}
	charge, err := client.ChargeSubscription(ctx, &qfpay.SubscriptionChargeRequest{SubscriptionID: sub.ID})
	if err != nil {
		// ErrOutcomeUnknown: the order may be charged. Never charge again
		// before its notification or QuerySubscription says.
		log.Fatal(err)
	}
	fmt.Println("charged:", charge.Amount, charge.Currency, "now", charge.Status)
	// Output:
	// after the charge failed: PAST_DUE
	// after the retries: UNPAID
	// charged: 19800 HKD now ACTIVE
}

// The billing orders of a subscription: one per cycle.
func ExampleClient_SubscriptionOrders() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)
	srv.Advance(62 * 24 * time.Hour) // two months later

	for o, err := range client.SubscriptionOrders(ctx, sub.ID) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(o.Sequence, o.TriggeredBy)
	}
	// Output:
	// 1 auto
	// 2 auto
	// 3 auto
}

func ExampleClient_CancelSubscription() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)

	cancelled, err := client.CancelSubscription(ctx, sub.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("cancelled:", cancelled.Rows)
	fmt.Println("state:", current(ctx, client, sub.ID).Status)
	srv.Advance(31 * 24 * time.Hour)
	fmt.Println("cycles charged a month later:", current(ctx, client, sub.ID).CompletedIterations)
	// Output:
	// cancelled: 1
	// state: CANCELLED
	// cycles charged a month later: 1
}

func ExampleClient_UpdateSubscription() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)

	updated, err := client.UpdateSubscription(ctx, sub.ID, &qfpay.SubscriptionUpdate{TotalBillingCycles: 6})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("updated:", updated.Rows)
	fmt.Println("cycles:", current(ctx, client, sub.ID).TotalBillingCycles)
	// Output:
	// updated: 1
	// cycles: 6
}

// The subscriptions of a customer.
func ExampleClient_QuerySubscription() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)
	customerID := current(ctx, client, sub.ID).CustomerID

	for s, err := range client.QuerySubscription(ctx, &qfpay.SubscriptionQuery{CustomerID: customerID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(s.Status, s.CompletedIterations, s.Products[0].Quantity, s.NextBillingTime.Format(time.DateOnly))
	}
	// Output:
	// ACTIVE 1 2 2024-04-01
}

func ExampleClient_CreateCustomer() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()

	customer, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{
		Name: "Chan Tai Man", Phone: "+852 9123 4567", Email: "tm.chan@example.com",
		BillingAddress: &qfpay.BillingAddress{Address1: "1 Queen's Road Central", City: "Hong Kong", CountryCode: "HK"},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(customer.ID != "")
	// Output:
	// true
}

func ExampleClient_UpdateCustomer() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	customer, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "Chan Tai Man"})
	if err != nil {
		log.Fatal(err)
	}

	if _, err := client.UpdateCustomer(ctx, customer.ID, &qfpay.CustomerRequest{Email: "chan@example.com"}); err != nil {
		log.Fatal(err)
	}
	for c, err := range client.QueryCustomer(ctx, &qfpay.CustomerQuery{ID: customer.ID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name, c.Email)
	}
	// Output:
	// Chan Tai Man chan@example.com
}

func ExampleClient_QueryCustomer() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	for _, name := range []string{"Chan", "Wong", "Lee"} {
		if _, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: name}); err != nil {
			log.Fatal(err)
		}
	}

	// Every customer, page after page.
	for c, err := range client.QueryCustomer(ctx, nil) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name)
	}
	// Output:
	// Chan
	// Wong
	// Lee
}

// Deleting a customer cancels every subscription of the customer.
func ExampleClient_DeleteCustomer() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	sub := subscribe(ctx, srv, client)
	customerID := current(ctx, client, sub.ID).CustomerID

	deleted, err := client.DeleteCustomer(ctx, customerID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted:", deleted.Rows)
	fmt.Println("subscription:", current(ctx, client, sub.ID).Status)
	// Output:
	// deleted: 1
	// subscription: CANCELLED
}

func ExampleClient_CreateProduct() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()

	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{
		Name: "Milk tea club", Description: "One cup a day", Type: qfpay.ProductRecurring,
		Amount: 9900, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 1,
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(product.ID != "")

	// A product billed every 13 months is refused before anything is sent.
	_, err = client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Too long", Type: qfpay.ProductRecurring,
		Amount: 9900, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 13})
	fmt.Println(err)
	// Output:
	// true
	// qfpay: invalid request: interval_count: IntervalCount must be within 1 to 12 for monthly (one year at most between charges), got 13
}

func ExampleClient_UpdateProduct() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Gift box", Amount: 25000, Currency: qfpay.CurrencyHKD})
	if err != nil {
		log.Fatal(err)
	}

	if _, err := client.UpdateProduct(ctx, product.ID, &qfpay.ProductUpdate{Name: "Gift box (large)"}); err != nil {
		log.Fatal(err)
	}
	for p, err := range client.QueryProduct(ctx, &qfpay.ProductQuery{ID: product.ID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Name, p.Amount, p.Currency, p.Type)
	}
	// Output:
	// Gift box (large) 25000 HKD onetime
}

func ExampleClient_QueryProduct() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	for _, r := range []qfpay.ProductRequest{
		{Name: "Milk tea club", Type: qfpay.ProductRecurring, Amount: 9900, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalMonthly, IntervalCount: 1},
		{Name: "Tea year", Type: qfpay.ProductRecurring, Amount: 99000, Currency: qfpay.CurrencyHKD, Interval: qfpay.IntervalYearly, IntervalCount: 1},
	} {
		if _, err := client.CreateProduct(ctx, &r); err != nil {
			log.Fatal(err)
		}
	}

	for p, err := range client.QueryProduct(ctx, &qfpay.ProductQuery{Interval: qfpay.IntervalYearly}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(p.Name, p.Amount, p.Interval)
	}
	// Output:
	// Tea year 99000 yearly
}

// A product that a subscription holds cannot be deleted.
func ExampleClient_DeleteProduct() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{Name: "Gift box", Amount: 25000, Currency: qfpay.CurrencyHKD})
	if err != nil {
		log.Fatal(err)
	}

	deleted, err := client.DeleteProduct(ctx, product.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted:", deleted.Rows)
	// Output:
	// deleted: 1
}

// Sending the recurring calls' parameters as a JSON body instead of a form.
func ExampleWithRecurringBody() {
	ctx := context.Background()
	srv := qfpaytest.NewServer(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey)
	defer srv.Close()
	client, err := qfpay.NewClient(qfpaytest.SandboxAppCode, qfpaytest.SandboxClientKey,
		qfpay.WithBaseURL(srv.URL), qfpay.WithRecurringBody(qfpay.BodyJSON))
	if err != nil {
		log.Fatal(err)
	}
	customer, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{Name: "Chan Tai Man",
		BillingAddress: &qfpay.BillingAddress{City: "Hong Kong", CountryCode: "HK"}})
	if err != nil {
		log.Fatal(err)
	}
	for c, err := range client.QueryCustomer(ctx, &qfpay.CustomerQuery{ID: customer.ID}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(c.Name, c.BillingAddress.City)
	}
	// Output:
	// Chan Tai Man Hong Kong
}

// A cross-border shop declares a WeChat Pay payment to Shanghai customs,
// then asks how the declaration stands.
func ExampleClient_DeclareCustoms() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 1500,
		Currency: qfpay.CurrencyCNY, OutTradeNo: "cb-0001", AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		log.Fatal(err)
	}

	decl, err := client.DeclareCustoms(ctx, &qfpay.CustomsDeclaration{
		TradeType: qfpay.CustomsWeChat, SysSN: pay.SysSN, Customs: "SHANGHAI_ZS", MerchantCustomsNo: "3101000001",
	})
	if err != nil {
		// ErrPending (1143, 1145): ask QueryCustoms later.
		log.Fatal(err)
	}
	fmt.Println("declared, verified by", decl.VerifyDepartment)
	// Output:
	// declared, verified by OTHERS
}

func ExampleClient_QueryCustoms() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	syssn := declared(ctx, client)

	status, err := client.QueryCustoms(ctx, &qfpay.CustomsQuery{TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS"})
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range status.Records {
		fmt.Println(r.SubOrderNo, r.Message, r.VerifyDepartment)
	}
	// Output:
	// SUB-1 declared OTHERS
}

// The customs' electronic port lost a declaration: push it again.
func ExampleClient_RedeclareCustoms() {
	ctx := context.Background()
	srv, client := recurringSandbox()
	defer srv.Close()
	syssn := declared(ctx, client)

	again, err := client.RedeclareCustoms(ctx, &qfpay.CustomsRedeclaration{
		TradeType: qfpay.CustomsWeChat, SysSN: syssn, Customs: "SHANGHAI_ZS", MerchantCustomsNo: "3101000001",
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("redeclared:", again.RespCode)
	// Output:
	// redeclared: 0000
}

// declared pays CNY 15.00 by WeChat Pay and declares it as the split
// sub-order SUB-1; it returns the payment's syssn.
func declared(ctx context.Context, client *qfpay.Client) string {
	pay, err := client.Payment(ctx, &qfpay.PaymentRequest{PayType: qfpay.PayTypeWeChatCPM, Amount: 1500,
		Currency: qfpay.CurrencyCNY, OutTradeNo: "cb-0002", AuthCode: qfpaytest.AuthCodeSuccess})
	if err != nil {
		log.Fatal(err)
	}
	_, err = client.DeclareCustoms(ctx, &qfpay.CustomsDeclaration{
		TradeType: qfpay.CustomsWeChat, SysSN: pay.SysSN, Customs: "SHANGHAI_ZS", MerchantCustomsNo: "3101000001",
		SubOrderNo: "SUB-1", FeeType: qfpay.CurrencyCNY, OrderFee: 1500, ProductFee: 1200, TransportFee: 300,
	})
	if err != nil {
		log.Fatal(err)
	}
	return pay.SysSN
}
