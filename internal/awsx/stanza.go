package awsx

import (
	"log/slog"

	"github.com/aws-ingest/aws-ingest/internal/modinput"
	"github.com/aws-ingest/aws-ingest/internal/params"
	"github.com/aws-ingest/aws-ingest/internal/schemes"
	"github.com/aws-ingest/aws-ingest/internal/splunkrest"
)

// StanzaOptions maps the credential parameters every scheme shares
// (schemes.credentialParams) to Options. A stored credential (aws_account)
// is read from the splunkd that started the input, with its session key.
// Callers set Region, and may fill KeyID/SecretKey from another source
// (aws.conf) when the stanza gives none.
func StanzaOptions(v params.Values, server modinput.Server, log *slog.Logger) (Options, error) {
	o := Options{
		KeyID:           v.String(schemes.KeyID),
		SecretKey:       v.Secret(schemes.SecretKey),
		RoleARN:         v.String(schemes.RoleARN),
		ExternalID:      v.String(schemes.ExternalID),
		RoleSessionName: v.String(schemes.RoleSessionName),
		Account:         v.String(schemes.AWSAccount),
		STSEndpoint:     v.String(schemes.STSEndpointURL),
		Logger:          log,
	}
	if o.Account != "" {
		store, err := splunkrest.New(server.URI, server.SessionKey)
		if err != nil {
			return Options{}, err
		}
		o.Store = store
	}
	return o, nil
}
