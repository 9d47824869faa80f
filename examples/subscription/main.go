// Command subscription runs QF Pay's recurring payments end to end with
// the qfpay SDK and prints each step: a customer, the customer's card
// token (from the payment_token notification), a monthly product, a
// subscription charged at once, two more billing cycles, a cycle the card
// fails and a manual charge that recovers it with a new card, the billing
// orders, the cancellation, and the notifications received.
//
//	go run ./examples/subscription
//
// With no environment variables it runs against an embedded sandbox
// (package qfpaytest), whose clock the program moves a month at a time
// and which plays the Payment Element's card tokenisation. With
// QFPAY_APP_CODE, QFPAY_CLIENT_KEY and QFPAY_ENV set (see
// examples/internal/exampleenv) it runs against that QF Pay environment:
// pass -token, a token the Payment Element made for the customer -customer
// (it arrives by the payment_token notification to your registered URL);
// the steps that need the sandbox's clock or its cards are skipped, and
// the subscription is cancelled after its first charge.
//
// It exits with status 1 and a message on stderr when a step fails.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/qfpay-go/qfpay"
	"github.com/qfpay-go/qfpay/examples/internal/exampleenv"
	"github.com/qfpay-go/qfpay/qfpaytest"
)

const (
	notifyPath = "/qfpay/notify"
	// notifyWait bounds the wait for a notification.
	notifyWait = 10 * time.Second
	// The sandbox customer's cards: one that pays, and the one given after
	// the first stops paying.
	sandboxCard    = "5200000000001096"
	sandboxNewCard = "4111111111111111"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "subscription: FAILED:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("subscription", flag.ContinueOnError)
	customerID := fs.String("customer", "", "an existing customer_id (default: create one)")
	tokenID := fs.String("token", "", "the customer's card token (required against a QF Pay environment)")
	amount := fs.Int64("amount", 9900, "the product's price per month, in minor units")
	if err := fs.Parse(args); err != nil {
		return err
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listening for notifications: %w", err)
	}
	defer ln.Close()
	notifyURL := "http://" + ln.Addr().String() + notifyPath
	env, err := exampleenv.Open(exampleenv.SandboxOptions(
		qfpaytest.WithNotifyURL(notifyURL),
		qfpaytest.WithNotifySchedule(100*time.Millisecond, 500*time.Millisecond),
	))
	if err != nil {
		return err
	}
	defer env.Close()
	if !env.IsSandbox() && (*tokenID == "" || *customerID == "") {
		return errors.New("against a QF Pay environment, pass -customer and -token: a card token is made by the Payment Element and arrives only by its payment_token notification")
	}
	client, cur, srv := env.Client, env.Currency, env.Sandbox
	money := func(a int64) string { return exampleenv.Money(a, cur) }

	fmt.Fprintln(out, "qfpay-go subscription: recurring payments, step by step.")
	env.Describe(out)
	n := 0
	step := func(title string) { n++; fmt.Fprintf(out, "\n%d. %s\n", n, title) }
	say := func(format string, args ...any) { fmt.Fprintf(out, "   "+format+"\n", args...) }

	step("Start the notification endpoint")
	inbox := newInbox()
	if env.IsSandbox() {
		// The sandbox's clock stands still from now on: the program moves
		// it a month at a time.
		srv.SetNow(time.Now().Truncate(time.Second))
		mux := http.NewServeMux()
		mux.Handle(notifyPath, qfpay.NotificationHandler(env.ClientKey(), inbox.record))
		hs := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
		go func() { _ = hs.Serve(ln) }() // ends with Shutdown
		defer hs.Shutdown(context.Background())
		say("listening on %s (qfpay.NotificationHandler)", notifyURL)
	} else {
		ln.Close()
		say("skipped: QF Pay posts notifications only to the URL registered with it (see examples/notify-server).")
	}

	step("Create the customer (CreateCustomer)")
	if *customerID == "" {
		c, err := client.CreateCustomer(ctx, &qfpay.CustomerRequest{
			Name: "Chan Tai Man", Email: "tm.chan@example.com",
			BillingAddress: &qfpay.BillingAddress{Address1: "1 Queen's Road Central", City: "Hong Kong", CountryCode: "HK"},
		})
		if err != nil {
			return fmt.Errorf("creating the customer: %w", err)
		}
		*customerID = c.ID
		say("customer %s", c.ID)
	} else {
		say("customer %s (given)", *customerID)
	}

	step("Tokenise the customer's card (the Payment Element)")
	if env.IsSandbox() {
		say("sandbox: the customer enters card %s (qfpaytest.Server.TokenizeCard)", sandboxCard)
		tk, err := tokenise(srv, inbox, *customerID, sandboxCard)
		if err != nil {
			return err
		}
		*tokenID = tk.TokenID
		say("token %s from the payment_token notification (%s, %s %s)", tk.TokenID, tk.Event, tk.CardScheme, tk.CardNumber)
	} else {
		say("token %s (given)", *tokenID)
	}

	step("Create the monthly product (CreateProduct)")
	product, err := client.CreateProduct(ctx, &qfpay.ProductRequest{
		Name: "Milk tea club", Description: "One cup a day", Type: qfpay.ProductRecurring,
		Amount: *amount, Currency: cur, Interval: qfpay.IntervalMonthly, IntervalCount: 1,
	})
	if err != nil {
		return fmt.Errorf("creating the product: %w", err)
	}
	say("product %s: %s a month", product.ID, money(*amount))

	step("Subscribe the customer: 2 units, 12 cycles (CreateSubscription)")
	created, err := client.CreateSubscription(ctx, &qfpay.SubscriptionRequest{
		CustomerID: *customerID, TokenID: *tokenID,
		Products:           []qfpay.SubscriptionItem{{ProductID: product.ID, Quantity: 2}},
		TotalBillingCycles: 12,
	})
	if err != nil {
		// A lost answer may have created the subscription: look it up by
		// customer (QuerySubscription) before creating another.
		return fmt.Errorf("creating the subscription: %w", err)
	}
	id := created.ID
	say("subscription %s: %s", id, created.Status)
	sub, err := current(ctx, client, id)
	if err != nil {
		return err
	}
	say("%d of %d cycles charged, next charge %s", sub.CompletedIterations, sub.TotalBillingCycles, sub.NextBillingTime.Format(time.DateTime))

	if env.IsSandbox() {
		step("Two more months: the sandbox's clock moves to each billing time")
		for range 2 {
			if sub, err = nextCycle(ctx, client, srv, sub); err != nil {
				return err
			}
			say("charged: %s, %d of %d cycles charged", sub.Status, sub.CompletedIterations, sub.TotalBillingCycles)
		}

		step("The card stops paying: the next cycle fails (qfpaytest.TokenDeclined)")
		if _, err := client.UpdateSubscription(ctx, id, &qfpay.SubscriptionUpdate{TokenID: qfpaytest.TokenDeclined}); err != nil {
			return fmt.Errorf("updating the token: %w", err)
		}
		if sub, err = nextCycle(ctx, client, srv, sub); err != nil {
			return err
		}
		say("declined: %s, last billing %s", sub.Status, sub.LastBillingStatus)
		srv.Advance(3 * qfpaytest.SubscriptionRetryDelay)
		if sub, err = current(ctx, client, id); err != nil {
			return err
		}
		say("after %d retries: %s", sub.RetryAttempts, sub.Status)

		step("A new card; charge the failed order at once (ChargeSubscription)")
		tk, err := tokenise(srv, inbox, *customerID, sandboxNewCard)
		if err != nil {
			return err
		}
		if _, err := client.UpdateSubscription(ctx, id, &qfpay.SubscriptionUpdate{TokenID: tk.TokenID}); err != nil {
			return fmt.Errorf("updating the token: %w", err)
		}
		say("new token %s (%s %s)", tk.TokenID, tk.CardScheme, tk.CardNumber)
		charge, err := client.ChargeSubscription(ctx, &qfpay.SubscriptionChargeRequest{SubscriptionID: id})
		if err != nil {
			// ErrOutcomeUnknown: the order may be charged; never charge
			// again before its notification or QuerySubscription says.
			return fmt.Errorf("charging the failed order: %w", err)
		}
		say("charged %s for order %s: %s", money(charge.Amount), charge.OrderID, charge.Status)
		if sub, err = current(ctx, client, id); err != nil {
			return err
		}
		say("%d of %d cycles charged, next charge %s", sub.CompletedIterations, sub.TotalBillingCycles, sub.NextBillingTime.Format(time.DateTime))
	} else {
		step("Later cycles")
		say("skipped against a real environment: QF Pay charges each month and notifies it")
		say("(subscription_payment); a failed cycle is charged again with ChargeSubscription.")
	}

	step("The billing orders (SubscriptionOrders)")
	for o, err := range client.SubscriptionOrders(ctx, id) {
		if err != nil {
			return fmt.Errorf("listing the billing orders: %w", err)
		}
		say("%s  cycle %d  %s", o.ID, o.Sequence, o.TriggeredBy)
	}

	step("Cancel the subscription (CancelSubscription)")
	if _, err := client.CancelSubscription(ctx, id); err != nil {
		return fmt.Errorf("cancelling: %w", err)
	}
	if sub, err = current(ctx, client, id); err != nil {
		return err
	}
	say("cancelled: %s; cycles charged: %d", sub.Status, sub.CompletedIterations)

	step("The notifications received")
	if env.IsSandbox() {
		// Notifications may arrive in any order: a real endpoint orders
		// nothing by arrival, it looks at the state it holds.
		states, paid, declined, err := inbox.subscription(id, len(srv.Deliveries()))
		if err != nil {
			return err
		}
		say("subscription states: %s", strings.Join(states, " "))
		say("cycle charges:       %d paid, %d declined", paid, declined)
	} else {
		say("skipped against a real environment (see step 1).")
	}
	fmt.Fprintln(out, "\nDone.")
	return nil
}

// tokenise has the sandbox tokenise card for the customer and returns the
// payment_token notification that tells the merchant the token.
func tokenise(srv *qfpaytest.Server, inbox *inbox, customerID, card string) (*qfpay.PaymentTokenNotification, error) {
	id, err := srv.TokenizeCard(customerID, card)
	if err != nil {
		return nil, fmt.Errorf("tokenising the card: %w", err)
	}
	return inbox.token(id)
}

// current queries the subscription id.
func current(ctx context.Context, client *qfpay.Client, id string) (*qfpay.Subscription, error) {
	for s, err := range client.QuerySubscription(ctx, &qfpay.SubscriptionQuery{ID: id}) {
		if err != nil {
			return nil, fmt.Errorf("querying the subscription: %w", err)
		}
		return s, nil
	}
	return nil, fmt.Errorf("querying the subscription: %s not listed", id)
}

// nextCycle moves the sandbox's clock to sub's next billing time, where
// the sandbox charges the cycle, and queries the subscription.
func nextCycle(ctx context.Context, client *qfpay.Client, srv *qfpaytest.Server, sub *qfpay.Subscription) (*qfpay.Subscription, error) {
	srv.Advance(sub.NextBillingTime.Sub(srv.Now()))
	return current(ctx, client, sub.ID)
}

// inbox keeps the notifications the endpoint verified. A real one stores
// them (idempotent on the token id or the billing order id: a
// notification may come more than once) and acts on them.
type inbox struct {
	mu      sync.Mutex
	got     []*qfpay.Notification
	changed chan struct{}
}

func newInbox() *inbox { return &inbox{changed: make(chan struct{})} }

func (in *inbox) record(_ context.Context, n *qfpay.Notification) error {
	// Read the typed notification first: one the merchant cannot read is
	// answered with an error, so QF Pay sends it again.
	switch n.Type {
	case qfpay.NotifyPaymentToken:
		if _, err := n.PaymentToken(); err != nil {
			return err
		}
	case qfpay.NotifySubscription:
		if _, err := n.Subscription(); err != nil {
			return err
		}
	case qfpay.NotifySubscriptionPayment:
		if _, err := n.SubscriptionPayment(); err != nil {
			return err
		}
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.got = append(in.got, n)
	close(in.changed)
	in.changed = make(chan struct{})
	return nil
}

// wait waits until ok holds for the notifications received.
func (in *inbox) wait(what string, ok func([]*qfpay.Notification) bool) error {
	timeout := time.After(notifyWait)
	for {
		in.mu.Lock()
		got, changed := in.got, in.changed
		in.mu.Unlock()
		if ok(got) {
			return nil
		}
		select {
		case <-changed:
		case <-timeout:
			return fmt.Errorf("no %s notification within %s", what, notifyWait)
		}
	}
}

// token waits for the payment_token notification of tokenID.
func (in *inbox) token(tokenID string) (*qfpay.PaymentTokenNotification, error) {
	var found *qfpay.PaymentTokenNotification
	err := in.wait("payment_token", func(ns []*qfpay.Notification) bool {
		for _, n := range ns {
			if tk, err := n.PaymentToken(); err == nil && tk.TokenID == tokenID {
				found = tk
				return true
			}
		}
		return false
	})
	return found, err
}

// subscription waits for the total notifications sent, and returns the
// states notified for subscription id, in the order of the subscription's
// life with their counts ("ACTIVE x2"), and the cycle charges notified,
// paid and declined.
func (in *inbox) subscription(id string, total int) (states []string, paid, declined int, err error) {
	err = in.wait("subscription", func(ns []*qfpay.Notification) bool { return len(ns) >= total })
	in.mu.Lock()
	defer in.mu.Unlock()
	count := map[qfpay.State]int{}
	for _, n := range in.got {
		if s, err := n.Subscription(); err == nil && s.SubscriptionID == id {
			count[s.State]++
		}
		if p, err := n.SubscriptionPayment(); err == nil && p.SubscriptionID == id {
			if p.Charged() {
				paid++
			} else {
				declined++
			}
		}
	}
	for _, s := range []qfpay.State{qfpay.StateIncomplete, qfpay.StateActive, qfpay.StatePastDue, qfpay.StateUnpaid,
		qfpay.StateCompleted, qfpay.StateIncompleteExpired, qfpay.StateCancelled} {
		switch c := count[s]; {
		case c == 1:
			states = append(states, string(s))
		case c > 1:
			states = append(states, fmt.Sprintf("%s x%d", s, c))
		}
	}
	return states, paid, declined, err
}
