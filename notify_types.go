package qfpay

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/qfpay-go/qfpay/internal/wire"
)

// NotifyType is the notify_type of an asynchronous notification: what
// happened to the transaction.
type NotifyType string

// The notification types the gateway sends. The API may add others; an
// unknown type is kept as it is. NotifyPayment and NotifyRefund are the
// API documentation's; the others are QF Pay's current documentation's
// (sections "Online pre-authorisation" and "Recurring payments").
const (
	NotifyPayment  NotifyType = "payment"  // a payment (or a card capture) succeeded
	NotifyRefund   NotifyType = "refund"   // a refund succeeded
	NotifyUnfreeze NotifyType = "unfreeze" // pre-authorised funds were released (ReleaseFunds)
	NotifyCancel   NotifyType = "cancel"   // a transaction was cancelled (no documentation describes it)
	// NotifyPaymentToken: a card was tokenised (or matched an existing
	// token); read it with Notification.PaymentToken.
	NotifyPaymentToken NotifyType = "payment_token"
	// NotifySubscription: a subscription changed state; read it with
	// Notification.Subscription.
	NotifySubscription NotifyType = "subscription"
	// NotifySubscriptionPayment: a subscription's billing order was
	// charged or failed; read it with Notification.SubscriptionPayment.
	NotifySubscriptionPayment NotifyType = "subscription_payment"
)

// carriesSysSN reports whether a notification of type t is about one
// transaction and so must carry its syssn. Token and subscription events
// are not (a failed billing order has no transaction either).
func (t NotifyType) carriesSysSN() bool {
	switch t {
	case NotifyPaymentToken, NotifySubscription, NotifySubscriptionPayment:
		return false
	}
	return true
}

// inferNotifyType gives a notification without notify_type the type its
// order_type names (payment or refund): the current documentation's card
// payment notification sample carries order_type, like a query record, and
// no notify_type.
func inferNotifyType(n *Notification) {
	if n.Type != "" {
		return
	}
	switch OrderType(strings.ToLower(string(n.OrderType))) {
	case OrderTypePayment:
		n.Type = NotifyPayment
	case OrderTypeRefund:
		n.Type = NotifyRefund
	}
}

// ErrNotificationType matches the error of a Notification accessor
// (PaymentToken, Subscription, SubscriptionPayment) called on a
// notification of another type.
var ErrNotificationType = errors.New("qfpay: notification of another type")

// TokenEvent is the event of a payment_token notification.
type TokenEvent string

// The events of a payment_token notification.
const (
	// TokenEventNew: the card was tokenised; TokenID is new.
	TokenEventNew TokenEvent = "NEW"
	// TokenEventMatch: the card was tokenised before; TokenID is the
	// existing token.
	TokenEventMatch TokenEvent = "MATCH"
	// TokenEventConflict: the card was tokenised before with other
	// details than those submitted.
	TokenEventConflict TokenEvent = "CONFLICT"
)

// PaymentTokenNotification is a payment_token notification (current
// documentation, "Recurring payments", "Notifications"): the only way to
// learn the token of a card tokenised through the Payment Element. Tokens
// carry no syssn: recognise a repeated delivery by TokenID and Event.
type PaymentTokenNotification struct {
	// Event is event: NEW, MATCH or CONFLICT.
	Event TokenEvent `json:"event"`
	// TokenID is tokenid (so spelt), the card's token.
	TokenID string `json:"tokenid"`
	// TokenExpiry is token_expiry_date.
	TokenExpiry time.Time `json:"token_expiry_date"`
	// CardNumber is cardcd, the masked card number.
	CardNumber string `json:"cardcd"`
	// CardScheme is card_scheme ("VISA", "ECMC_DEBIT").
	CardScheme string `json:"card_scheme"`
	// RespCode is respcd, "0000" on success.
	RespCode string `json:"respcd"`
	// RespMsg is respmsg, the gateway's text for RespCode.
	RespMsg string `json:"respmsg"`
	// SysTime is sysdtm, when it happened.
	SysTime time.Time `json:"sysdtm"`
	// UserID is userid, QF Pay's store.
	UserID string `json:"userid"`
	// CustomerID is customer_id, the customer the card was tokenised for.
	CustomerID string `json:"customer_id"`
	// TokenReason is token_reason, as given at tokenisation.
	TokenReason string `json:"token_reason"`
	// TokenReference is token_reference, as given at tokenisation.
	TokenReference string `json:"token_reference"`
}

// SubscriptionNotification is a subscription notification (current
// documentation, "Recurring payments", "Notifications"): a subscription
// changed state.
type SubscriptionNotification struct {
	// SubscriptionID is subscription_id.
	SubscriptionID string `json:"subscription_id"`
	// State is state, upper-cased: ACTIVE, COMPLETED or another State.
	State State `json:"state"`
	// SysTime is sysdtm, when it changed.
	SysTime time.Time `json:"sysdtm"`
}

// SubscriptionPaymentNotification is a subscription_payment notification
// (current documentation, "Recurring payments", "Notifications"): the
// outcome of one billing order, sent for failures too.
type SubscriptionPaymentNotification struct {
	// SubscriptionID is subscription_id.
	SubscriptionID string `json:"subscription_id"`
	// OrderID is subscription_order_id, the billing order: recognise a
	// repeated delivery by it.
	OrderID string `json:"subscription_order_id"`
	// RespCode is respcd, "0000": charged; anything else failed.
	RespCode string `json:"respcd"`
	// RespMsg is respmsg, the gateway's text for RespCode.
	RespMsg string `json:"respmsg"`
	// SysSN is syssn, the charge's number.
	SysSN string `json:"syssn"`
	// TxTime is txdtm, the charge's time.
	TxTime time.Time `json:"txdtm"`
	// Amount is txamt, the amount charged in minor units of Currency.
	Amount int64 `json:"txamt"`
	// Currency is txcurrcd, the charge's currency.
	Currency Currency `json:"txcurrcd"`
	// CustomerID is customer_id.
	CustomerID string `json:"customer_id"`
	// ProductID is product_id, comma-separated ids (see ProductIDs).
	ProductID string `json:"product_id"`
	// CardNumber is cardcd, the masked card number (may be empty).
	CardNumber string `json:"cardcd"`
	// CardScheme is card_scheme ("VISA"), sent on success only.
	CardScheme string `json:"card_scheme"`
	// Iteration is current_iteration, the billing cycle charged (0 when
	// not a number).
	Iteration int `json:"current_iteration"`
	// Reason is reason ("AUTHORISED" in the documentation's sample).
	Reason string `json:"reason"`
}

// Charged reports whether the billing order was charged (respcd 0000).
func (p *SubscriptionPaymentNotification) Charged() bool { return p.RespCode == CodeSuccess }

// ProductIDs splits ProductID at its commas.
func (p *SubscriptionPaymentNotification) ProductIDs() []string {
	var ids []string
	for id := range strings.SplitSeq(p.ProductID, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// PaymentToken reads a NotifyPaymentToken notification from Raw. It fails
// with ErrNotificationType for another type, and with ErrMalformedResponse
// when a field it relies on cannot be read (respcd, a time) or a success
// has no tokenid.
func (n *Notification) PaymentToken() (*PaymentTokenNotification, error) {
	out := &PaymentTokenNotification{}
	if err := n.decodeAs(NotifyPaymentToken, out); err != nil {
		return nil, err
	}
	if out.RespCode == CodeSuccess && out.TokenID == "" {
		return nil, notifyMalformed(errors.New("payment_token success without tokenid"))
	}
	return out, nil
}

// Subscription reads a NotifySubscription notification from Raw, its
// State upper-cased as Subscription.Status is. It fails
// with ErrNotificationType for another type, and with ErrMalformedResponse
// when it has no subscription_id or its sysdtm cannot be read.
func (n *Notification) Subscription() (*SubscriptionNotification, error) {
	out := &SubscriptionNotification{}
	if err := n.decodeAs(NotifySubscription, out); err != nil {
		return nil, err
	}
	if out.SubscriptionID == "" {
		return nil, notifyMalformed(errors.New("subscription without subscription_id"))
	}
	out.State = normalState(string(out.State))
	return out, nil
}

// SubscriptionPayment reads a NotifySubscriptionPayment notification from
// Raw. It fails with ErrNotificationType for another type, and with
// ErrMalformedResponse when it has no subscription_id or a charge has no
// syssn (ParseNotification has checked respcd, syssn, txamt and txdtm).
func (n *Notification) SubscriptionPayment() (*SubscriptionPaymentNotification, error) {
	out := &SubscriptionPaymentNotification{}
	if err := n.decodeAs(NotifySubscriptionPayment, out); err != nil {
		return nil, err
	}
	switch {
	case out.SubscriptionID == "":
		return nil, notifyMalformed(errors.New("subscription_payment without subscription_id"))
	case out.Charged() && out.SysSN == "":
		return nil, notifyMalformed(errors.New("subscription_payment charged without syssn"))
	}
	return out, nil
}

// decodeAs decodes Raw into out when the notification is of type want.
// Times are read in the zone the notification's own were (UTC+8, or the
// client's zone through Client.ParseNotification and
// Client.NotificationHandler).
func (n *Notification) decodeAs(want NotifyType, out any) error {
	if n.Type != want {
		return fmt.Errorf("%w: %q, not %q", ErrNotificationType, n.Type, want)
	}
	obj, err := wire.ParseObject(n.Raw)
	if err != nil {
		return notifyMalformed(fmt.Errorf("the raw body is not a JSON object: %w", err))
	}
	loc := beijing
	if !n.SysTime.IsZero() {
		loc = n.SysTime.Location()
	}
	if err := wire.Decode(obj, out, loc); err != nil {
		return notifyMalformed(err)
	}
	return nil
}
