// The API + orchestrator host: `minigpt5 serve` (HTTP API, durable orchestrations, CPU activities on the
// `default` task queue). At least one replica always runs, because orchestrations only progress while a
// host polls the control queues; HTTP load adds replicas, which share the partitions by blob leases.

@description('Azure region of the app.')
param location string

@description('Container app name.')
param name string

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Resource id of the user-assigned identity the app runs as and pulls images with.')
param identityId string

@description('Registry login server, e.g. crxxxx.azurecr.io.')
param registryServer string

@description('Full image reference of the API image.')
param image string

@description('Port the app listens on inside the container (ASPNETCORE_URLS in infra/Dockerfile.api).')
param targetPort int

@description('Environment variables (name/value or name/secretRef) for the container.')
param environmentVariables array

@description('API keys clients must present, comma-separated; stored as a Container Apps secret.')
@secure()
param apiKeys string

@description('Replicas that always run (at least 1: orchestrations need a live host).')
@minValue(1)
param minReplicas int

@description('Most replicas HTTP load may scale the API to.')
@minValue(1)
param maxReplicas int

@description('Concurrent HTTP requests per replica before another replica is added.')
@minValue(1)
param concurrentRequestsPerReplica int

@description('Tags applied to the app.')
param tags object

resource app 'Microsoft.App/containerApps@2025-07-01' = {
  name: name
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    environmentId: environmentId
    workloadProfileName: 'Consumption'
    configuration: {
      activeRevisionsMode: 'Single'
      ingress: {
        external: true
        targetPort: targetPort
        transport: 'auto'
        allowInsecure: false
      }
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      secrets: [
        {
          name: 'api-keys'
          value: apiKeys
        }
      ]
    }
    template: {
      containers: [
        {
          name: 'api'
          image: image
          args: [
            'serve'
          ]
          resources: {
            cpu: 1
            memory: '2Gi'
          }
          env: concat(environmentVariables, [
            {
              name: 'MiniGpt5__ApiKeys'
              secretRef: 'api-keys'
            }
          ])
          probes: [
            {
              // Gives a slow first start (JIT, storage handshake) up to 5 minutes before liveness applies.
              type: 'Startup'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
              periodSeconds: 10
              failureThreshold: 30
              timeoutSeconds: 3
            }
            {
              type: 'Liveness'
              httpGet: {
                path: '/healthz'
                port: targetPort
              }
              periodSeconds: 30
              failureThreshold: 3
              timeoutSeconds: 3
            }
            {
              // Out of rotation while storage is unreachable; the replica is not restarted for it.
              type: 'Readiness'
              httpGet: {
                path: '/readyz'
                port: targetPort
              }
              periodSeconds: 10
              failureThreshold: 3
              timeoutSeconds: 5
            }
          ]
        }
      ]
      scale: {
        minReplicas: minReplicas
        maxReplicas: maxReplicas
        rules: [
          {
            name: 'http-requests'
            http: {
              metadata: {
                concurrentRequests: string(concurrentRequestsPerReplica)
              }
            }
          }
        ]
      }
    }
  }
}

output name string = app.name
output fqdn string = app.properties.configuration.ingress.fqdn
output url string = 'https://${app.properties.configuration.ingress.fqdn}'
