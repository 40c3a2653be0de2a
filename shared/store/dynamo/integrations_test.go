package dynamo_test

import (
	"testing"

	"github.com/rosterhq/roster/shared/importer"
	"github.com/rosterhq/roster/shared/store/storetest"
)

func TestIntegrationsContract(t *testing.T) {
	storetest.RunIntegrations(t, func(t *testing.T) importer.Integrations { return newStore(t) })
}
