// GPU activity workers as an event-triggered Container Apps Job: one run-to-completion execution per
// queued step. Nothing is ever scaled in under a running step (executions end on their own), at the price
// of a cold start per execution. Each execution runs `minigpt5 worker --task-queue gpu` with
// MiniGpt5__WorkerExitWhenIdleSeconds set, so it drains what it finds and exits 0.

@description('Azure region of the job.')
param location string

@description('Job name.')
param name string

@description('Resource id of the Container Apps environment.')
param environmentId string

@description('Name of the serverless GPU workload profile in the environment.')
param workloadProfileName string

@description('Resource id of the user-assigned identity the job runs as, pulls images with, and scales with.')
param identityId string

@description('Registry login server, e.g. crxxxx.azurecr.io.')
param registryServer string

@description('Full image reference of the worker image.')
param image string

@description('vCPUs per replica; must be the GPU profile replica size (8 for T4, 24 for A100).')
param cpu int

@description('Memory per replica; must be the GPU profile replica size (56Gi for T4, 220Gi for A100).')
param memory string

@description('Environment variables (name/value or name/secretRef) for the container.')
param environmentVariables array

@description('Storage account that holds the gpu activity queue (the scale rule reads it with the identity).')
param storageAccountName string

@description('Queue the event trigger watches: the task hub gpu activity queue.')
param queueName string

@description('Messages per execution the scaler aims for.')
@minValue(1)
param queueLength int

@description('Most executions at once (bounded by your serverless GPU quota).')
@minValue(1)
param maxExecutions int

@description('Seconds between KEDA queue-length checks.')
@minValue(5)
param pollingIntervalSeconds int

@description('Longest an execution may run, in seconds, before it is stopped.')
@minValue(60)
param replicaTimeoutSeconds int

@description('Seconds without work after which an execution exits.')
@minValue(1)
param exitWhenIdleSeconds int

@description('Environment storage name of the model share, or empty for no share mount.')
param modelStorageName string

@description('Tags applied to the job.')
param tags object

var cacheVolume = {
  name: 'model-cache'
  storageType: 'EmptyDir'
}
var shareVolume = {
  name: 'models'
  storageType: 'AzureFile'
  storageName: modelStorageName
}
var volumes = empty(modelStorageName) ? [cacheVolume] : [cacheVolume, shareVolume]
var cacheMount = {
  volumeName: 'model-cache'
  mountPath: '/var/cache/minigpt5'
}
var shareMount = {
  volumeName: 'models'
  mountPath: '/models'
}
var volumeMounts = empty(modelStorageName) ? [cacheMount] : [cacheMount, shareMount]

resource job 'Microsoft.App/jobs@2025-07-01' = {
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
    workloadProfileName: workloadProfileName
    configuration: {
      triggerType: 'Event'
      replicaTimeout: replicaTimeoutSeconds
      // The durable runtime already retries failed steps by redelivery; the platform retries only crashes.
      replicaRetryLimit: 1
      registries: [
        {
          server: registryServer
          identity: identityId
        }
      ]
      eventTriggerConfig: {
        parallelism: 1
        replicaCompletionCount: 1
        scale: {
          minExecutions: 0
          maxExecutions: maxExecutions
          pollingInterval: pollingIntervalSeconds
          rules: [
            {
              name: 'gpu-activity-queue'
              type: 'azure-queue'
              metadata: {
                accountName: storageAccountName
                queueName: queueName
                queueLength: string(queueLength)
              }
              identity: identityId
            }
          ]
        }
      }
    }
    template: {
      containers: [
        {
          name: 'worker'
          image: image
          args: [
            'worker'
            '--task-queue'
            'gpu'
          ]
          resources: {
            cpu: cpu
            memory: memory
          }
          env: concat(environmentVariables, [
            {
              name: 'MiniGpt5__WorkerExitWhenIdleSeconds'
              value: string(exitWhenIdleSeconds)
            }
          ])
          volumeMounts: volumeMounts
        }
      ]
      volumes: volumes
    }
  }
}

output name string = job.name
