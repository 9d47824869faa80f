package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/qfpay-go/qfpay"
	"github.com/stretchr/testify/assert"
)

func TestExitCode(t *testing.T) {
	declined := &qfpay.APIError{Code: "1272", HTTPStatus: http.StatusOK, Path: "/trade/v1/refund"}
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"plain error", errors.New("connection refused"), exitError},
		{"usage", usagef("bad flag"), exitUsage},
		{"wrapped usage", fmt.Errorf("x: %w", usagef("bad flag")), exitUsage},
		{"validation error", &qfpay.ValidationError{Field: "txamt", Reason: "must be positive"}, exitUsage},
		{"invalid request", fmt.Errorf("x: %w", qfpay.ErrInvalidRequest), exitUsage},
		{"invalid number given to a wait: invalid before unknown", fmt.Errorf("%w: %w", qfpay.ErrOutcomeUnknown, qfpay.ErrInvalidRequest), exitUsage},
		{"declined refund", declined, exitDeclined},
		{"pending reversal is no decline", &qfpay.APIError{Code: "1143", HTTPStatus: 200, Path: "/trade/v1/reversal"}, exitError},
		{"declined close", &qfpay.APIError{Code: "1136", HTTPStatus: 200, Path: "/trade/v1/close"}, exitDeclined},
		{"refused query is an API error, not a decline", &qfpay.APIError{Code: "1100", HTTPStatus: 200, Path: "/trade/v1/query"}, exitError},
		{"error page is no decline", &qfpay.APIError{HTTPStatus: 502, Path: "/trade/v1/refund"}, exitError},
		{"rate limited", &qfpay.APIError{HTTPStatus: 429, Path: "/trade/v1/refund"}, exitError},
		{"payment failed", fmt.Errorf("x: %w", qfpay.ErrPaymentFailed), exitDeclined},
		{"refund failed", fmt.Errorf("x: %w", qfpay.ErrRefundFailed), exitDeclined},
		{"cancel too late", fmt.Errorf("x: %w", errCancelFailed), exitDeclined},
		{"outcome unknown", &qfpay.OutcomeUnknownError{Path: "/trade/v1/refund", Err: context.DeadlineExceeded}, exitUnknown},
		{"unsettled", &qfpay.UnsettledError{Kind: "payment", Err: context.DeadlineExceeded}, exitUnknown},
		{"bad signature", fmt.Errorf("x: %w", qfpay.ErrInvalidSignature), exitBadSign},
		{"interrupted wins", &interruptedError{err: &qfpay.UnsettledError{Kind: "refund", Err: context.Canceled}}, exitInterrupted},
		{"explicit code", &exitCodeError{code: 7}, 7},
		{"not confirmed", errorf("not confirmed: nothing sent"), exitError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exitCode(tt.err))
		})
	}
}
