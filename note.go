package qfpay

import (
	"context"
	"unicode/utf8"
)

// MaxNoteLength is the longest note AddNote accepts, in characters.
const MaxNoteLength = 200

// noteRequest is the form of /trade/v1/add_note.
type noteRequest struct {
	// Code is the merchant's app code, sent in the form as well as in the
	// X-QF-APPCODE header.
	Code  string `url:"code"`
	SysSN string `url:"syssn"`
	Note  string `url:"note"`
}

// noteResponse is the answer of /trade/v1/add_note. AddNote reports only
// success or failure, so data.syssn is decoded but not returned: like every
// syssn it must be a string or a number (anything else is a malformed
// answer), but it is not compared with the request's, as the documented
// answer's syssn is not even the documented request's. A data field that
// is not an object is left aside: nothing the SDK relies on is in it.
type noteResponse struct {
	Data struct {
		SysSN string `json:"syssn"`
	} `json:"data"`
}

var epAddNote = endpoint{method: "POST", path: "/trade/v1/add_note"}

// AddNote attaches a remark to a transaction (POST /trade/v1/add_note, API
// section "Transaction Notes"). The note is shown in the Merchant Management
// System and on the transaction report. sysSN is the transaction's syssn;
// note is required and at most MaxNoteLength characters. AddNote is not
// retried automatically: on a network error, call it again.
func (c *Client) AddNote(ctx context.Context, sysSN, note string) error {
	return c.call(ctx, &epAddNote, &noteRequest{Code: c.appCode, SysSN: sysSN, Note: note}, &noteResponse{})
}

func (r *noteRequest) validate() error {
	if r.SysSN == "" {
		return invalidField("syssn", "sysSN (the transaction to annotate) is required")
	}
	if r.Note == "" {
		return invalidField("note", "note is required")
	}
	if n := utf8.RuneCountInString(r.Note); n > MaxNoteLength {
		return invalidField("note", "note has %d characters, at most %d", n, MaxNoteLength)
	}
	return nil
}
