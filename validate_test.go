package qfpay

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestValidationError(t *testing.T) {
	tests := []struct {
		name string
		err  *ValidationError
		want string
	}{
		{"a field", &ValidationError{Field: "txamt", Reason: "Amount must be above zero"}, "qfpay: invalid request: txamt: Amount must be above zero"},
		{"the request as a whole", &ValidationError{Reason: "nil *PaymentRequest"}, "qfpay: invalid request: nil *PaymentRequest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, tt.err.Error())
			assert.ErrorIs(t, tt.err, ErrInvalidRequest)
			assert.NotErrorIs(t, tt.err, ErrMalformedResponse)
			wrapped := errors.Join(errors.New("context"), tt.err)
			var ve *ValidationError
			require.ErrorAs(t, wrapped, &ve)
			assert.Same(t, tt.err, ve)
			assert.ErrorIs(t, wrapped, ErrInvalidRequest)
		})
	}
}
