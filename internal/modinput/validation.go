package modinput

import (
	"io"

	"github.com/beevik/etree"
)

// WriteValidationError writes the document splunkd shows to the person who
// created or edited the input. The caller then exits non-zero.
func WriteValidationError(w io.Writer, message string) error {
	doc := etree.NewDocument()
	doc.CreateElement("error").CreateElement("message").SetText(message)
	_, err := doc.WriteTo(w)
	return err
}
