package qfpay

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddNoteSends(t *testing.T) {
	tests := []struct {
		name     string
		opts     []Option
		sysSN    string
		note     string
		signType SignType
	}{
		{name: "spec sample", sysSN: "20190722000200020081075691", note: "add_note", signType: MD5},
		{name: "no mchid, txdtm or txzone even when the client has them", opts: []Option{WithMerchantID("ZaMVg12345"), WithLocation(time.UTC)},
			sysSN: "20190722000200020081075691", note: "add_note", signType: MD5},
		{name: "UTF-8 and reserved characters, SHA256", opts: []Option{WithSignType(SHA256)},
			sysSN: "20190722000200020081075691", note: "退款 & 换货 = ok?", signType: SHA256},
		{name: "200 characters", sysSN: "20190722000200020081075691", note: strings.Repeat("备", MaxNoteLength), signType: MD5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t, tt.opts...)
			e.respondFile(http.MethodPost, "/trade/v1/add_note", "add_note_ok.json")
			require.NoError(t, e.client.AddNote(t.Context(), tt.sysSN, tt.note))
			r := e.last()
			assert.Equal(t, http.MethodPost, r.Method)
			assert.Equal(t, "/trade/v1/add_note", r.Path)
			assertSentParams(t, r, map[string]string{"code": testAppCode, "syssn": tt.sysSN, "note": tt.note})
			assertSigned(t, r, tt.signType)
		})
	}
}

func TestAddNoteAnswers(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		code      string // "" for success
		malformed bool
	}{
		// The spec's sample, "respcd": 0000 and all, is a success.
		{name: "spec sample", file: "add_note_ok.json"},
		// data holds nothing the SDK relies on: data of another shape is
		// no failure.
		{name: "data as a string", file: "add_note_data_string.json"},
		// data.syssn is a syssn: it decodes strictly, like every syssn.
		{name: "data.syssn an object", file: "add_note_syssn_object.json", malformed: true},
		{name: "unknown transaction 1136", file: "add_note_1136.json", code: "1136"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/add_note", tt.file)
			err := e.client.AddNote(t.Context(), "20190722000200020081075691", "n")
			if tt.malformed {
				assert.ErrorIs(t, err, ErrMalformedResponse)
				assert.Contains(t, err.Error(), "field syssn")
				assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a note moves no money")
				return
			}
			if tt.code == "" {
				require.NoError(t, err)
				return
			}
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, tt.code, apiErr.Code)
			assert.Equal(t, "/trade/v1/add_note", apiErr.Path)
		})
	}
}

func TestAddNoteNotRetriedNorUnknown(t *testing.T) {
	e := setup(t)
	e.respondHTML(http.MethodPost, "/trade/v1/add_note", http.StatusBadGateway)
	err := e.client.AddNote(t.Context(), "20190722000200020081075691", "n")
	var apiErr *APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, http.StatusBadGateway, apiErr.HTTPStatus)
	assert.NotErrorIs(t, err, ErrOutcomeUnknown, "a note moves no money")
	assert.Len(t, e.requests(), 1)
}

func TestAddNoteValidation(t *testing.T) {
	tests := []struct {
		name, sysSN, note, msg string
	}{
		{"no syssn", "", "n", "sysSN"},
		{"no note", "20190722000200020081075691", "", "note is required"},
		{"note of 201 characters", "20190722000200020081075691", strings.Repeat("备", MaxNoteLength+1), "201 characters"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := setup(t)
			e.respondFile(http.MethodPost, "/trade/v1/add_note", "add_note_ok.json")
			err := e.client.AddNote(t.Context(), tt.sysSN, tt.note)
			require.ErrorIs(t, err, ErrInvalidRequest)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Empty(t, e.requests())
		})
	}
}

// TestAddNoteDecodesDataSysSN: AddNote returns only an error, but the
// answer's data.syssn is decoded (as the documented answer has it).
func TestAddNoteDecodesDataSysSN(t *testing.T) {
	e := setup(t)
	e.respondFile(http.MethodPost, "/trade/v1/add_note", "add_note_ok.json")
	var out noteResponse
	req := &noteRequest{Code: testAppCode, SysSN: "20190722000200020081075691", Note: "add_note"}
	require.NoError(t, e.client.call(t.Context(), &epAddNote, req, &out))
	assert.Equal(t, "20190722000200020081084545", out.Data.SysSN)
}
