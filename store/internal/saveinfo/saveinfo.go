// Package saveinfo holds the context key under which store.WithSaveInfo
// puts who saves a plan version and why, so that store/driver can read it
// back (driver.SaveInfoFrom) without the store package importing the
// driver package, which imports it.
package saveinfo

import "context"

type key struct{}

// With returns a context that carries v.
func With(ctx context.Context, v any) context.Context {
	return context.WithValue(ctx, key{}, v)
}

// From returns what With put into ctx, or nil.
func From(ctx context.Context) any {
	return ctx.Value(key{})
}
