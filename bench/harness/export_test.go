package harness

import "github.com/edgeshelf/edgeshelf/store"

func storePut() store.PutOptions { return store.PutOptions{} }
func storeGet() store.GetOptions { return store.GetOptions{} }
