package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var staticFS embed.FS

// staticFiles are the embedded CSS and JavaScript, each served under a name
// that holds a hash of its content, so that browsers may keep them forever
// and still get a new version at once.
type staticFiles struct {
	url   map[string]string // "app.css" -> "/static/app.0123456789ab.css"
	files map[string]staticFile
}

type staticFile struct {
	body        []byte
	contentType string
}

func loadStatic() (*staticFiles, error) {
	st := &staticFiles{url: map[string]string{}, files: map[string]staticFile{}}
	entries, err := fs.ReadDir(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		body, err := staticFS.ReadFile("static/" + name)
		if err != nil {
			return nil, fmt.Errorf("web: static file %s: %w", name, err)
		}
		sum := sha256.Sum256(body)
		ext := path.Ext(name)
		hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		st.url[name] = "/static/" + hashed
		st.files[hashed] = staticFile{body: body, contentType: ct}
	}
	return st, nil
}

// serveStatic serves an embedded file by its hashed name.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", f.contentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(f.body)
}
