// Field schema of networking.k8s.io/v1 Ingress.
import { fields, int, listOf, str, strs, type ObjectSchema } from './field-schema.ts'
import { kindSchema } from './schema-meta.ts'

const backend: ObjectSchema = {
  service: { name: str, port: { name: str, number: int } },
  resource: fields(str, 'apiGroup', 'kind', 'name'),
}

export const loadBalancerStatus: ObjectSchema = {
  ingress: listOf({
    ...fields(str, 'ip', 'hostname', 'ipMode'),
    ports: listOf({ port: int, ...fields(str, 'protocol', 'error') }),
  }),
}

export const ingress = kindSchema({
  spec: {
    ingressClassName: str,
    defaultBackend: backend,
    tls: listOf({ hosts: strs, secretName: str }),
    rules: listOf({
      host: str,
      http: { paths: listOf({ ...fields(str, 'path', 'pathType'), backend }) },
    }),
  },
  status: { loadBalancer: loadBalancerStatus },
})
