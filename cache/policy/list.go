package policy

// node is one cached entry, linked into exactly one of a policy's queues.
// The links are intrusive so moving an entry between queues allocates
// nothing and costs O(1).
type node[V any] struct {
	prev, next *node[V]
	key        string
	value      V
	size       int64
	hash       uint64
	queue      uint8 // which queue holds it; policy-specific
	freq       uint8 // S3-FIFO's access counter; unused by W-TinyLFU
}

// queue is a doubly linked list of nodes with the byte total it holds.
// Front is the most recently inserted (or used), Back the next to leave.
type queue[V any] struct {
	root  node[V] // sentinel: root.next is the front, root.prev the back
	bytes int64
	n     int
}

func (q *queue[V]) init() {
	q.root.next, q.root.prev = &q.root, &q.root
}

func (q *queue[V]) pushFront(n *node[V]) {
	at := &q.root
	n.prev, n.next = at, at.next
	at.next.prev = n
	at.next = n
	q.bytes += n.size
	q.n++
}

func (q *queue[V]) remove(n *node[V]) {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
	q.bytes -= n.size
	q.n--
}

func (q *queue[V]) moveToFront(n *node[V]) {
	if q.root.next == n {
		return
	}
	n.prev.next = n.next
	n.next.prev = n.prev
	at := &q.root
	n.prev, n.next = at, at.next
	at.next.prev = n
	at.next = n
}

// back is the next node to leave, nil when empty.
func (q *queue[V]) back() *node[V] {
	if q.n == 0 {
		return nil
	}
	return q.root.prev
}
