package web_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"riskmap/geo/access"
	"riskmap/web"
)

// fakeIdP is an OpenID Connect provider for tests: whoever asks is
// signed on as its user.
type fakeIdP struct {
	*httptest.Server
	key   *rsa.PrivateKey
	mu    sync.Mutex
	user  string
	codes map[string]string // code → nonce
}

func newIdP(t *testing.T) *fakeIdP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &fakeIdP{key: key, codes: map[string]string{}}
	mux := http.NewServeMux()
	p.Server = httptest.NewServer(mux)
	t.Cleanup(p.Close)
	mux.HandleFunc("/.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{"issuer": p.URL, "authorization_endpoint": p.URL + "/authorize",
			"token_endpoint": p.URL + "/token", "jwks_uri": p.URL + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256"},
			"response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"}})
	})
	mux.HandleFunc("/jwks", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("/authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code := fmt.Sprint(time.Now().UnixNano())
		p.mu.Lock()
		p.codes[code] = q.Get("nonce")
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("/token", func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		p.mu.Lock()
		nonce, ok := p.codes[r.Form.Get("code")]
		delete(p.codes, r.Form.Get("code"))
		user := p.user
		p.mu.Unlock()
		if !ok {
			http.Error(w, `{"error": "invalid_grant"}`, http.StatusBadRequest)
			return
		}
		claims, _ := json.Marshal(map[string]any{"iss": p.URL, "aud": "riskmap", "sub": "s-" + user, "preferred_username": user,
			"nonce": nonce, "iat": time.Now().Unix(), "exp": time.Now().Add(time.Hour).Unix()})
		signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: key}, (&jose.SignerOptions{}).WithType("JWT").WithHeader("kid", "k1"))
		if err != nil {
			t.Error(err)
			return
		}
		jws, _ := signer.Sign(claims)
		idToken, _ := jws.CompactSerialize()
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "a", "token_type": "Bearer", "expires_in": 3600, "id_token": idToken})
	})
	return p
}

// TestSingleSignOn: a person the provider vouches for, who is a riskmap
// user, gets a session with that user's role; one who is not is refused;
// a callback without its login is refused.
func TestSingleSignOn(t *testing.T) {
	store, _ := writableStore(t)
	idp := newIdP(t)
	srv := authServer(t, store, web.Options{OIDC: &web.OIDC{Issuer: idp.URL, ClientID: "riskmap", ClientSecret: "secret"}})
	name := newUser(t, store, access.Planner)
	signOn := func(user string) (*http.Client, int, string) {
		idp.mu.Lock()
		idp.user = user
		idp.mu.Unlock()
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar}
		resp, err := client.Get(srv.URL + "/api/v1/oidc/login")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return client, resp.StatusCode, string(b)
	}
	client, status, body := signOn(name)
	if status != http.StatusOK || !strings.Contains(body, `http-equiv="refresh"`) {
		t.Fatalf("sign-on: %d %s", status, body)
	}
	s, body, _ := call(t, client, "GET", srv.URL+"/api/v1/session", "", "", nil)
	if s != http.StatusOK || !strings.Contains(body, `"user":"`+name+`"`) || !strings.Contains(body, `"role":"planner"`) {
		t.Errorf("session after the sign-on: %d %s", s, body)
	}
	if _, status, body := signOn("stranger"); status != http.StatusForbidden || !strings.Contains(body, "not a riskmap user") {
		t.Errorf("a stranger's sign-on: %d %s, want 403", status, body)
	}
	if s, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/oidc/callback?code=x&state=forged", "", "", nil); s != http.StatusBadRequest {
		t.Errorf("a callback without its login: %d %s, want 400", s, body)
	}
	if s, body, _ := call(t, http.DefaultClient, "GET", srv.URL+"/api/v1/session/methods", "", "", nil); s != http.StatusOK || !strings.Contains(body, `"oidc":true`) {
		t.Errorf("login methods: %d %s", s, body)
	}
}
