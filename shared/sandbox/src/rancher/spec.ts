// Rancher publishes no OpenAPI description of its v3 API. This one is written by hand from Rancher's documented v3
// types (the API UI at /v3 shows each schema: collection, cluster, nodePool, node, nodeDrainInput, project, error) and,
// for events and namespaces, from the Steve API (/k8s/clusters/{id}/v1), which returns the same collection envelope. It describes only what idp-mcp calls,
// field by field as Rancher 2.x returns it; the fake is held to it like the other fakes are held to published specs.
import type { OpenApiDocument } from '../spec.ts';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const errors = { default: { description: 'Rancher error', ...json(ref('error')) } };
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/** Kubernetes ObjectMeta, the fields Rancher's Steve API returns for the objects idp-mcp reads. */
const objectMeta = {
  type: 'object',
  required: ['name', 'namespace'],
  properties: {
    name: { type: 'string' },
    namespace: { type: 'string' },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string' },
    labels: stringMap,
    annotations: stringMap,
  },
  additionalProperties: false,
};

const listParameters = [
  { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
  { name: 'marker', in: 'query', schema: { type: 'string' } },
  { name: 'sort', in: 'query', schema: { type: 'string' } },
  { name: 'order', in: 'query', schema: { type: 'string', enum: ['asc', 'desc'] } },
];

const collection = (item: string) => ({
  type: 'object',
  required: ['type', 'resourceType', 'data'],
  properties: {
    type: { const: 'collection' },
    resourceType: { type: 'string' },
    links: stringMap,
    createTypes: stringMap,
    actions: stringMap,
    sortLinks: stringMap,
    filters: { type: 'object' },
    sort: { type: 'object' },
    revision: { type: 'string' },
    pagination: ref('pagination'),
    data: { type: 'array', items: ref(item) },
  },
  additionalProperties: false,
});

const condition = {
  type: 'object',
  required: ['type', 'status'],
  properties: {
    type: { type: 'string' },
    status: { type: 'string', enum: ['True', 'False', 'Unknown'] },
    lastUpdateTime: { type: 'string' },
    lastTransitionTime: { type: 'string' },
    reason: { type: 'string' },
    message: { type: 'string' },
  },
  additionalProperties: false,
};

const resources = {
  type: 'object',
  properties: { cpu: { type: 'string' }, memory: { type: 'string' }, pods: { type: 'string' } },
  additionalProperties: false,
};

const resourceBase = {
  id: { type: 'string' },
  type: { type: 'string' },
  baseType: { type: 'string' },
  name: { type: 'string' },
  uuid: { type: 'string' },
  created: { type: 'string', format: 'date-time' },
  createdTS: { type: 'integer' },
  creatorId: { type: ['string', 'null'] },
  labels: stringMap,
  annotations: stringMap,
  links: stringMap,
  actions: stringMap,
  state: { type: 'string' },
  transitioning: { type: 'string', enum: ['yes', 'no', 'error'] },
  transitioningMessage: { type: 'string' },
};

export const RANCHER_OPENAPI: OpenApiDocument = {
  openapi: '3.0.3',
  info: { title: 'Rancher v3 API (the parts idp-mcp uses), written from the documented v3 types', version: '2.9' },
  paths: {
    '/v3/clusters': {
      get: {
        operationId: 'listClusters',
        parameters: [
          ...listParameters,
          { name: 'name', in: 'query', schema: { type: 'string' } },
          { name: 'state', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'clusters', ...json(collection('cluster')) }, ...errors },
      },
    },
    '/v3/clusters/{id}': {
      get: {
        operationId: 'getCluster',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'a cluster', ...json(ref('cluster')) }, ...errors },
      },
    },
    '/v3/nodePools': {
      get: {
        operationId: 'listNodePools',
        parameters: [...listParameters, { name: 'clusterId', in: 'query', schema: { type: 'string' } }],
        responses: { 200: { description: 'node pools', ...json(collection('nodePool')) }, ...errors },
      },
    },
    '/v3/nodePools/{id}': {
      get: {
        operationId: 'getNodePool',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'a node pool', ...json(ref('nodePool')) }, ...errors },
      },
      put: {
        operationId: 'updateNodePool',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        requestBody: { required: true, ...json(ref('nodePoolUpdate')) },
        responses: { 200: { description: 'the updated node pool', ...json(ref('nodePool')) }, ...errors },
      },
    },
    '/v3/nodes': {
      get: {
        operationId: 'listNodes',
        parameters: [
          ...listParameters,
          { name: 'clusterId', in: 'query', schema: { type: 'string' } },
          { name: 'nodePoolId', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'nodes', ...json(collection('node')) }, ...errors },
      },
    },
    '/v3/nodes/{id}': {
      get: {
        operationId: 'getNode',
        parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { 200: { description: 'a node', ...json(ref('node')) }, ...errors },
      },
      // The v3 node type's actions (Rancher's node ActionHandler): cordon, uncordon, drain (with a nodeDrainInput
      // body) and stopDrain. Only drain takes a body.
      post: {
        operationId: 'nodeAction',
        parameters: [
          { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
          {
            name: 'action',
            in: 'query',
            required: true,
            schema: { type: 'string', enum: ['cordon', 'uncordon', 'drain', 'stopDrain'] },
          },
        ],
        requestBody: { required: false, ...json(ref('nodeDrainInput')) },
        responses: { 200: { description: 'the node after the action', ...json(ref('node')) }, ...errors },
      },
    },
    '/v3/projects': {
      get: {
        operationId: 'listProjects',
        parameters: [
          ...listParameters,
          { name: 'clusterId', in: 'query', schema: { type: 'string' } },
          { name: 'name', in: 'query', schema: { type: 'string' } },
        ],
        responses: { 200: { description: 'projects', ...json(collection('project')) }, ...errors },
      },
    },
    '/v1/provisioning.cattle.io.clusters/{namespace}/{name}': {
      get: {
        operationId: 'getProvisioningCluster',
        parameters: [
          { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'an RKE2/K3s cluster Rancher provisions', ...json(ref('provisioningCluster')) },
          ...errors,
        },
      },
      put: {
        operationId: 'updateProvisioningCluster',
        parameters: [
          { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'name', in: 'path', required: true, schema: { type: 'string' } },
        ],
        requestBody: { required: true, ...json(ref('provisioningCluster')) },
        responses: { 200: { description: 'the updated cluster', ...json(ref('provisioningCluster')) }, ...errors },
      },
    },
    '/k8s/clusters/{clusterId}/v1/namespaces': {
      get: {
        operationId: 'listClusterNamespaces',
        parameters: [
          { name: 'clusterId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'continue', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'namespaces of the cluster (Steve API)', ...json(collection('namespace')) },
          ...errors,
        },
      },
    },
    '/k8s/clusters/{clusterId}/v1/events': {
      get: {
        operationId: 'listClusterEvents',
        parameters: [
          { name: 'clusterId', in: 'path', required: true, schema: { type: 'string' } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'continue', in: 'query', schema: { type: 'string' } },
          { name: 'fieldSelector', in: 'query', schema: { type: 'string' } },
        ],
        responses: {
          200: { description: 'Kubernetes events of the cluster (Steve API)', ...json(collection('event')) },
          ...errors,
        },
      },
    },
  },
  components: {
    schemas: {
      pagination: {
        type: 'object',
        properties: {
          limit: { type: 'integer' },
          total: { type: 'integer' },
          marker: { type: 'string' },
          next: { type: 'string' },
          first: { type: 'string' },
          partial: { type: 'boolean' },
          continue: { type: 'string' },
        },
        additionalProperties: false,
      },
      error: {
        type: 'object',
        required: ['type', 'status', 'code'],
        properties: {
          type: { const: 'error' },
          baseType: { const: 'error' },
          status: { type: 'integer' },
          code: { type: 'string' },
          message: { type: 'string' },
          fieldName: { type: 'string' },
          detail: { type: 'string' },
        },
        additionalProperties: false,
      },
      cluster: {
        type: 'object',
        required: ['id', 'type', 'name', 'state'],
        properties: {
          ...resourceBase,
          type: { const: 'cluster' },
          description: { type: 'string' },
          provider: { type: 'string' },
          driver: { type: 'string' },
          internal: { type: 'boolean' },
          version: {
            type: 'object',
            properties: {
              gitVersion: { type: 'string' },
              major: { type: 'string' },
              minor: { type: 'string' },
              platform: { type: 'string' },
              buildDate: { type: 'string' },
            },
            additionalProperties: false,
          },
          conditions: { type: 'array', items: condition },
          nodeCount: { type: 'integer', minimum: 0 },
          capacity: resources,
          allocatable: resources,
          requested: resources,
          limits: resources,
          agentImage: { type: 'string' },
          dockerRootDir: { type: 'string' },
        },
        additionalProperties: false,
      },
      nodePool: {
        type: 'object',
        required: ['id', 'type', 'name', 'clusterId', 'hostnamePrefix', 'quantity'],
        properties: {
          ...resourceBase,
          type: { const: 'nodePool' },
          clusterId: { type: 'string' },
          hostnamePrefix: { type: 'string' },
          quantity: { type: 'integer', minimum: 0 },
          nodeTemplateId: { type: 'string' },
          controlPlane: { type: 'boolean' },
          etcd: { type: 'boolean' },
          worker: { type: 'boolean' },
          drainBeforeDelete: { type: 'boolean' },
          deleteNotReadyAfterSecs: { type: 'integer' },
          nodeLabels: stringMap,
          nodeAnnotations: stringMap,
          nodeTaints: { type: 'array', items: { type: 'object' } },
          namespaceId: { type: 'string' },
        },
        additionalProperties: false,
      },
      nodePoolUpdate: {
        type: 'object',
        properties: {
          quantity: { type: 'integer', minimum: 0 },
          hostnamePrefix: { type: 'string' },
          nodeTemplateId: { type: 'string' },
          controlPlane: { type: 'boolean' },
          etcd: { type: 'boolean' },
          worker: { type: 'boolean' },
          drainBeforeDelete: { type: 'boolean' },
          deleteNotReadyAfterSecs: { type: 'integer' },
          nodeLabels: stringMap,
          nodeAnnotations: stringMap,
          labels: stringMap,
          annotations: stringMap,
        },
        additionalProperties: false,
      },
      // Rancher's NodeDrainInput (management.cattle.io/v3): ignoreDaemonSets defaults to true, gracePeriod to -1 (each
      // pod's own terminationGracePeriodSeconds), timeout to 120 seconds with 1..10800 allowed.
      nodeDrainInput: {
        type: 'object',
        properties: {
          force: { type: 'boolean' },
          ignoreDaemonSets: { type: 'boolean' },
          deleteLocalData: { type: 'boolean' },
          gracePeriod: { type: 'integer', minimum: -1 },
          timeout: { type: 'integer', minimum: 1, maximum: 10800 },
        },
        additionalProperties: false,
      },
      // Rancher's v3 project type: resourceQuota is a ProjectResourceQuota (limit and usedLimit are ResourceQuotaLimits),
      // namespaceDefaultResourceQuota a NamespaceResourceQuota, containerDefaultResourceLimit a ContainerResourceLimit.
      project: {
        type: 'object',
        required: ['id', 'type', 'name', 'clusterId', 'state'],
        properties: {
          ...resourceBase,
          type: { const: 'project' },
          clusterId: { type: 'string' },
          namespaceId: { type: 'string' },
          description: { type: 'string' },
          enableProjectMonitoring: { type: 'boolean' },
          conditions: { type: 'array', items: condition },
          resourceQuota: {
            type: 'object',
            properties: { limit: ref('resourceQuotaLimit'), usedLimit: ref('resourceQuotaLimit') },
            additionalProperties: false,
          },
          namespaceDefaultResourceQuota: {
            type: 'object',
            properties: { limit: ref('resourceQuotaLimit') },
            additionalProperties: false,
          },
          containerDefaultResourceLimit: {
            type: 'object',
            properties: {
              requestsCpu: { type: 'string' },
              requestsMemory: { type: 'string' },
              limitsCpu: { type: 'string' },
              limitsMemory: { type: 'string' },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      resourceQuotaLimit: {
        type: 'object',
        properties: Object.fromEntries(
          [
            'pods',
            'services',
            'replicationControllers',
            'secrets',
            'configMaps',
            'persistentVolumeClaims',
            'servicesNodePorts',
            'servicesLoadBalancers',
            'requestsCpu',
            'requestsMemory',
            'requestsStorage',
            'limitsCpu',
            'limitsMemory',
          ].map((name) => [name, { type: 'string' }]),
        ),
        additionalProperties: false,
      },
      // A Kubernetes Namespace as the Steve API serves it; Rancher puts a namespace in a project with the
      // field.cattle.io/projectId annotation (<clusterId>:<projectId>) and label (<projectId>).
      namespace: {
        type: 'object',
        required: ['id', 'type', 'metadata'],
        properties: {
          id: { type: 'string' },
          type: { const: 'namespace' },
          links: stringMap,
          apiVersion: { const: 'v1' },
          kind: { const: 'Namespace' },
          metadata: {
            type: 'object',
            required: ['name'],
            properties: {
              name: { type: 'string' },
              uid: { type: 'string' },
              resourceVersion: { type: 'string' },
              creationTimestamp: { type: 'string' },
              labels: stringMap,
              annotations: stringMap,
            },
            additionalProperties: false,
          },
          spec: {
            type: 'object',
            properties: { finalizers: { type: 'array', items: { type: 'string' } } },
            additionalProperties: false,
          },
          status: {
            type: 'object',
            properties: { phase: { type: 'string', enum: ['Active', 'Terminating'] } },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      node: {
        type: 'object',
        required: ['id', 'type', 'clusterId', 'state'],
        properties: {
          ...resourceBase,
          type: { const: 'node' },
          clusterId: { type: 'string' },
          nodePoolId: { type: 'string' },
          nodeName: { type: 'string' },
          hostname: { type: 'string' },
          ipAddress: { type: 'string' },
          externalIpAddress: { type: 'string' },
          controlPlane: { type: 'boolean' },
          etcd: { type: 'boolean' },
          worker: { type: 'boolean' },
          unschedulable: { type: 'boolean' },
          requestedHostname: { type: 'string' },
          conditions: { type: 'array', items: condition },
          capacity: resources,
          allocatable: resources,
          requested: resources,
          limits: resources,
          // The Kubernetes node's spec.taints, and the drain options of the last drain action (spec.nodeDrainInput).
          taints: {
            type: 'array',
            items: {
              type: 'object',
              required: ['key', 'effect'],
              properties: {
                key: { type: 'string' },
                value: { type: 'string' },
                effect: { type: 'string', enum: ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] },
                timeAdded: { type: 'string' },
              },
              additionalProperties: false,
            },
          },
          nodeDrainInput: ref('nodeDrainInput'),
          info: {
            type: 'object',
            properties: {
              cpu: { type: 'object', properties: { count: { type: 'integer' } }, additionalProperties: false },
              memory: { type: 'object', properties: { memTotalKiB: { type: 'integer' } }, additionalProperties: false },
              os: {
                type: 'object',
                properties: {
                  operatingSystem: { type: 'string' },
                  kernelVersion: { type: 'string' },
                  dockerVersion: { type: 'string' },
                },
                additionalProperties: false,
              },
              kubernetes: {
                type: 'object',
                properties: { kubeletVersion: { type: 'string' }, kubeProxyVersion: { type: 'string' } },
                additionalProperties: false,
              },
            },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
      // provisioning.cattle.io/v1 Cluster as the Steve API (/v1) serves it: the Kubernetes object plus Steve's id, type
      // and links. Only the fields idp-mcp reads or writes are closed; machine pools follow Rancher's RKEMachinePool.
      provisioningCluster: {
        type: 'object',
        required: ['apiVersion', 'kind', 'metadata', 'spec'],
        properties: {
          id: { type: 'string' },
          type: { const: 'provisioning.cattle.io.cluster' },
          links: stringMap,
          apiVersion: { const: 'provisioning.cattle.io/v1' },
          kind: { const: 'Cluster' },
          metadata: objectMeta,
          spec: {
            type: 'object',
            properties: {
              kubernetesVersion: { type: 'string' },
              cloudCredentialSecretName: { type: 'string' },
              rkeConfig: {
                type: 'object',
                properties: {
                  machinePools: {
                    type: 'array',
                    items: {
                      type: 'object',
                      required: ['name', 'machineConfigRef'],
                      properties: {
                        name: { type: 'string', minLength: 1 },
                        quantity: { type: 'integer', minimum: 0 },
                        controlPlaneRole: { type: 'boolean' },
                        etcdRole: { type: 'boolean' },
                        workerRole: { type: 'boolean' },
                        paused: { type: 'boolean' },
                        drainBeforeDelete: { type: 'boolean' },
                        machineConfigRef: {
                          type: 'object',
                          properties: {
                            kind: { type: 'string' },
                            name: { type: 'string' },
                            apiVersion: { type: 'string' },
                          },
                          additionalProperties: false,
                        },
                        labels: stringMap,
                      },
                      additionalProperties: false,
                    },
                  },
                },
              },
            },
          },
          status: {
            type: 'object',
            properties: {
              clusterName: { type: 'string' },
              ready: { type: 'boolean' },
              observedGeneration: { type: 'integer' },
              conditions: { type: 'array', items: { type: 'object' } },
            },
          },
        },
        additionalProperties: false,
      },
      event: {
        type: 'object',
        required: ['id', 'type', 'metadata', 'involvedObject', 'reason'],
        properties: {
          id: { type: 'string' },
          // Steve names every object's Rancher type `type`; the Kubernetes Event's own type moves to `_type`.
          type: { const: 'event' },
          _type: { type: 'string', enum: ['Normal', 'Warning'] },
          links: stringMap,
          apiVersion: { const: 'v1' },
          kind: { const: 'Event' },
          metadata: objectMeta,
          involvedObject: {
            type: 'object',
            properties: {
              kind: { type: 'string' },
              name: { type: 'string' },
              namespace: { type: 'string' },
              apiVersion: { type: 'string' },
              uid: { type: 'string' },
            },
            additionalProperties: false,
          },
          reason: { type: 'string' },
          message: { type: 'string' },
          count: { type: 'integer', minimum: 1 },
          firstTimestamp: { type: 'string' },
          lastTimestamp: { type: 'string' },
          source: {
            type: 'object',
            properties: { component: { type: 'string' }, host: { type: 'string' } },
            additionalProperties: false,
          },
        },
        additionalProperties: false,
      },
    },
  },
};
