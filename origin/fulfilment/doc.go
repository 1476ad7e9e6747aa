// Package fulfilment serves the public fulfilment API: GET and POST /route
// (the node that ships an order line, its SLA badge, carriers and the
// node's image set, signed when signing is on) and POST /returns/route. It
// logs each decision to the decision log. Decisions come from
// routing.Engine; this package only speaks HTTP.
package fulfilment
