package qfpay

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// WeChatExtendInfo is extend_info, a JSON object that some WeChat payments
// send as one string parameter (QF Pay's current documentation, section
// "WeChat": "WeChat Pay H5" and "Real-name identification"; not in the API
// documentation). Fill in one of its two uses:
//
//   - WeChat Pay H5 (PayTypeWeChatH5, 800212), in a mobile browser outside
//     WeChat: WapURL, WapName and ShopperIP, all three required there;
//   - the real-name check of a payer from mainland China on 800201, 800207,
//     800213 and 800210 (optional, and only once WeChat has enabled it for
//     the pay type): PayerIDNumber and PayerName, both or neither. If the
//     payer's wallet is bound to a bank card, the identity must match it.
//
// PaymentRequest.ExtendInfo sends it as the JSON MarshalJSON writes, and
// that string, exactly as sent, is what the request's signature covers.
// The zero value sends nothing.
type WeChatExtendInfo struct {
	// WapURL is scene_info.h5_info.wap_url: the merchant's mobile site,
	// an absolute http(s) URL (WeChat Pay H5).
	WapURL string
	// WapName is scene_info.h5_info.wap_name: the mobile site's name
	// (WeChat Pay H5).
	WapName string
	// ShopperIP is spbill_create_ip: the shopper's own IP address, IPv4
	// or IPv6, as the merchant's site saw it (WeChat Pay H5); not the
	// merchant server's.
	ShopperIP string
	// PayerIDNumber is user_creid: the payer's PRC resident identity card
	// number, 17 digits and a check digit or X (real-name check). It is
	// never written into an error message.
	PayerIDNumber string
	// PayerName is user_truename: the payer's name as on the card, in
	// Chinese characters (real-name check). It is sent as UTF-8; the
	// documentation's \u escapes are the same JSON.
	PayerName string
}

// extendInfoH5Type is scene_info.h5_info.type: the documentation's literal
// "Wap", the only value.
const extendInfoH5Type = "Wap"

// The wire shapes of extend_info, in the documentation's field order.
type (
	extendInfoWire struct {
		SceneInfo      *sceneInfoWire `json:"scene_info,omitempty"`
		SpbillCreateIP string         `json:"spbill_create_ip,omitempty"`
		UserCreID      string         `json:"user_creid,omitempty"`
		UserTrueName   string         `json:"user_truename,omitempty"`
	}
	sceneInfoWire struct {
		H5Info h5InfoWire `json:"h5_info"`
	}
	h5InfoWire struct {
		Type    string `json:"type"`
		WapURL  string `json:"wap_url"`
		WapName string `json:"wap_name"`
	}
)

// IsZero reports whether e holds nothing, so that PaymentRequest sends no
// extend_info.
func (e WeChatExtendInfo) IsZero() bool { return e == WeChatExtendInfo{} }

// MarshalJSON writes the extend_info object: {"scene_info":{"h5_info":
// {"type":"Wap","wap_url":...,"wap_name":...}},"spbill_create_ip":...} for
// WeChat Pay H5, {"user_creid":...,"user_truename":...} for the real-name
// check; empty fields left out, and no HTML escaping ('&' stays '&').
func (e WeChatExtendInfo) MarshalJSON() ([]byte, error) {
	w := extendInfoWire{SpbillCreateIP: e.ShopperIP, UserCreID: e.PayerIDNumber, UserTrueName: e.PayerName}
	if e.WapURL != "" || e.WapName != "" {
		w.SceneInfo = &sceneInfoWire{H5Info: h5InfoWire{Type: extendInfoH5Type, WapURL: e.WapURL, WapName: e.WapName}}
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// EncodeValues sets the form parameter key (extend_info) to e's JSON, the
// string that is sent and signed; nothing for the zero value. The request
// encoder calls it (go-querystring's query.Encoder).
func (e WeChatExtendInfo) EncodeValues(key string, v *url.Values) error {
	if e.IsZero() {
		return nil
	}
	b, err := e.MarshalJSON()
	if err != nil {
		return err
	}
	v.Set(key, string(b))
	return nil
}

// The pay types that take extend_info: WeChat Pay H5 its scene, and the
// real-name check's four.
var realNamePayTypes = []PayType{PayTypeWeChatMPM, PayTypeWeChatJSAPI, PayTypeWeChatMiniProgram, PayTypeWeChatInApp}

// prcIDNumber is the form of a PRC resident identity card number: 17
// digits and a check digit or X. The check digit itself is WeChat's to
// verify.
var prcIDNumber = regexp.MustCompile(`^[0-9]{17}[0-9X]$`)

// validate checks e for a payment of payType: WeChat Pay H5 needs its
// three fields, the real-name check its two on its four pay types, and no
// other pay type takes extend_info.
func (e WeChatExtendInfo) validate(payType PayType) error {
	h5 := e.WapURL != "" || e.WapName != "" || e.ShopperIP != ""
	realName := e.PayerIDNumber != "" || e.PayerName != ""
	switch {
	case payType == PayTypeWeChatH5:
		if realName {
			return invalidField("extend_info", "ExtendInfo's PayerIDNumber and PayerName (the real-name check) are taken by pay types %v, not %s", realNamePayTypes, payType)
		}
		return e.validateH5()
	case slices.Contains(realNamePayTypes, payType):
		if h5 {
			return invalidField("extend_info", "ExtendInfo's WapURL, WapName and ShopperIP are for WeChat Pay H5 (%s), not %s", PayTypeWeChatH5, payType)
		}
		if realName {
			return e.validateRealName()
		}
		return nil
	case h5 || realName:
		return invalidField("extend_info", "ExtendInfo is taken only by WeChat Pay H5 (%s) and the real-name check of %v, not by %s", PayTypeWeChatH5, realNamePayTypes, payType)
	}
	return nil
}

func (e WeChatExtendInfo) validateH5() error {
	if e.WapURL == "" || e.WapName == "" || e.ShopperIP == "" {
		return invalidField("extend_info", "ExtendInfo's WapURL, WapName and ShopperIP are all required for WeChat Pay H5 (%s)", PayTypeWeChatH5)
	}
	if err := validateAbsoluteURL("extend_info", "ExtendInfo.WapURL", e.WapURL); err != nil {
		return err
	}
	if err := validateText("extend_info", "ExtendInfo.WapName", e.WapName); err != nil {
		return err
	}
	if _, err := netip.ParseAddr(e.ShopperIP); err != nil || strings.Contains(e.ShopperIP, "%") {
		return invalidField("extend_info", "ExtendInfo.ShopperIP %q is not an IP address", e.ShopperIP)
	}
	return nil
}

func (e WeChatExtendInfo) validateRealName() error {
	if e.PayerIDNumber == "" || e.PayerName == "" {
		return invalidField("extend_info", "ExtendInfo's PayerIDNumber and PayerName go together: the real-name check takes both")
	}
	if !prcIDNumber.MatchString(e.PayerIDNumber) {
		// The number itself is personal data: it stays out of the error.
		return invalidField("extend_info", "ExtendInfo.PayerIDNumber is not a PRC resident identity card number (17 digits and a check digit or X)")
	}
	return validateText("extend_info", "ExtendInfo.PayerName", e.PayerName)
}
