package postgres_test

import (
	"context"
	"fmt"
	"log"

	"github.com/ismscomms/ismscomms/store"
	"github.com/ismscomms/ismscomms/store/postgres"
)

// Open as the application role; the owner role migrates the schema and
// grants the application role what the store needs. Every call names its
// tenant, and the database, not only the query, keeps tenants apart.
func ExampleOpen() {
	ctx := context.Background()
	s, err := postgres.Open(ctx, "postgres://ismscomms_app@db.internal/isms", &postgres.Options{
		OwnerDSN: "postgres://ismscomms_owner@db.internal/isms",
		MaxConns: 16,
	})
	if err != nil {
		log.Fatal(err) // the DSN's password never appears in it
	}
	defer s.Close()

	for r, err := range s.Records(ctx, "acme", store.RecordQuery{ActivityID: "policy"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(r.Seq, r.SentAt, r.Subject)
	}
}
