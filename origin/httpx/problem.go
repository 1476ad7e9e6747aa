package httpx

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/edgeshelf/edgeshelf/catalog"
	"github.com/edgeshelf/edgeshelf/internal/problem"
	"github.com/edgeshelf/edgeshelf/routing"
	"github.com/edgeshelf/edgeshelf/store"
)

// ToProblem maps any error to the problem the client sees. Typed errors
// carry their own (problem.As finds them: the rules and catalog validation
// errors and the rules store's errors answer it); the rest are mapped here
// and only here.
func ToProblem(err error) *problem.Error {
	if p, ok := problem.As(err); ok {
		return p
	}
	if p := routingProblem(err); p != nil {
		return p
	}
	if p := storeProblem(err); p != nil {
		return p
	}
	var nf *catalog.NotFoundError
	var fe *fiber.Error
	switch {
	case errors.As(err, &nf):
		code := map[string]string{
			"sku": "unknown_sku", "view": "unknown_view", "preset": "unknown_preset",
			"hub": "unknown_hub", "original": "source_not_found", "locale": "unknown_locale",
		}[nf.Kind]
		return problem.Wrap(err, http.StatusNotFound, code, "%s", nf.Error())
	case errors.As(err, &fe):
		return fiberProblem(fe)
	}
	return problem.Wrap(err, http.StatusInternalServerError, "internal", "the server failed to handle the request")
}

func routingProblem(err error) *problem.Error {
	var nn *routing.NoNodeError
	var oe *routing.OrderError
	switch {
	case errors.As(err, &nn):
		return noNodeProblem(nn)
	case errors.As(err, &oe):
		status := http.StatusBadRequest
		if oe.Code == "unknown_sku" {
			status = http.StatusNotFound
		}
		return problem.Wrap(err, status, oe.Code, "%s: %s", oe.Field, oe.Msg).WithField(oe.Field)
	}
	return nil
}

func storeProblem(err error) *problem.Error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return problem.Wrap(err, http.StatusNotFound, "source_not_found", "the original photo is not in the store")
	case errors.Is(err, store.ErrTooLarge):
		return problem.Wrap(err, http.StatusUnprocessableEntity, "image_too_large", "the original photo is over the size limit")
	case errors.Is(err, store.ErrInvalidKey):
		return problem.Wrap(err, http.StatusBadRequest, "invalid_path", "the path names an invalid object")
	case errors.Is(err, store.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		p := problem.Wrap(err, http.StatusServiceUnavailable, "store_unavailable", "the store did not answer in time; retry shortly")
		p.RetryAfter = 2
		return p
	}
	return nil
}

// fiberProblem names fiber's own errors (unknown route, body too large…).
func fiberProblem(fe *fiber.Error) *problem.Error {
	code := "http_error"
	switch fe.Code {
	case http.StatusNotFound:
		code = "not_found"
	case http.StatusMethodNotAllowed:
		code = "method_not_allowed"
	case http.StatusRequestEntityTooLarge:
		code = "body_too_large"
	case http.StatusRequestHeaderFieldsTooLarge:
		code = "headers_too_large"
	case http.StatusBadRequest:
		code = "bad_request"
	}
	return problem.New(fe.Code, code, "%s", fe.Message)
}

// noNodeProblem is 409 with every node's reason: as a list of candidates
// (rule, reason, detail, distance) and as a node → reason map.
func noNodeProblem(nn *routing.NoNodeError) *problem.Error {
	reasons := make(map[string]string, len(nn.Candidates))
	summary := make([]string, len(nn.Candidates))
	for i, c := range nn.Candidates {
		reasons[c.Node.ID] = c.Reason
		summary[i] = c.Node.ID + ": " + c.Reason
	}
	candidates := nn.Candidates
	if candidates == nil {
		candidates = []routing.Alternative{}
	}
	return problem.Wrap(nn, http.StatusConflict, nn.Code(), "no fulfilment node can ship the order (%s)", strings.Join(summary, "; ")).
		With("rules_version", nn.RulesVersion).
		With("reasons", reasons).
		With("candidates", candidates)
}
