package postgis

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Waker is told when the layers' data changed; *tiles.Cache is one.
type Waker interface {
	// Wake is called with each notification's raw payload (its format is
	// bump_layer_versions's business, not the listener's), and with ""
	// after every (re)connection, when notifications may have been
	// missed. It must not block.
	Wake(payload string)
}

// ListenApplicationName is the application_name of the listener's
// connection, by which an operator (or a test) finds it in
// pg_stat_activity.
const ListenApplicationName = "riskmap-listen"

// Listener backoff: the first retry after a lost connection comes after
// listenBackoffMin, each further one after twice as long, up to
// listenBackoffMax.
const (
	listenBackoffMin = 100 * time.Millisecond
	listenBackoffMax = 10 * time.Second
)

// ListenLayers holds one connection of its own (outside the pool, so that
// a busy pool never delays a notification and the listener never takes a
// connection from requests) that LISTENs on channel riskmap_layers, and
// wakes w with every notification, until ctx ends. When the connection
// drops it connects again, waiting longer after each failure (0.1 s
// doubling up to 10 s), and wakes w with "" after each connection, since
// what was notified meanwhile is lost. log hears when the connection is
// lost (once per outage) and when it is back.
func (s *Store) ListenLayers(ctx context.Context, w Waker, log *slog.Logger) {
	backoff := listenBackoffMin
	down := false // an outage is logged once, and its end
	for ctx.Err() == nil {
		err := s.listenOnce(ctx, w, func() {
			backoff = listenBackoffMin
			if down {
				log.Info("layer notifications: listening again")
				down = false
			}
		})
		if ctx.Err() != nil {
			return
		}
		if !down {
			log.Warn("layer notifications: connection lost; reconnecting (the versions are polled meanwhile)", "err", err)
			down = true
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, listenBackoffMax)
	}
}

// listenOnce connects, LISTENs, calls connected and wakes w with "", then
// passes notifications on until the connection fails or ctx ends.
func (s *Store) listenOnce(ctx context.Context, w Waker, connected func()) error {
	cfg := s.pool.Config().ConnConfig.Copy()
	cfg.RuntimeParams["application_name"] = ListenApplicationName
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	conn, err := pgx.ConnectConfig(cctx, cfg)
	cancel()
	if err != nil {
		return fmt.Errorf("connect the listener: %w", classify(err))
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, s.q.get("listen_layers")); err != nil {
		return fmt.Errorf("listen for layer changes: %w", classify(err))
	}
	connected()
	w.Wake("")
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("wait for layer notifications: %w", classify(err))
		}
		w.Wake(n.Payload)
	}
}
