package web

import (
	"encoding/json"
	"io"
)

// jsonEncode writes v without HTML escaping (Chinese text and URLs stay
// readable).
func jsonEncode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
