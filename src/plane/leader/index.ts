// plane/leader — which of several planes on one store runs the single-writer work (scheduler,
// controllers), and which serves each node (PlaneMembers: the live planes, each announced on a
// store lease; ownerOf: rendezvous hashing of a node over them). Contract: LeaderElection campaigns on a store key held by a
// session lease (etcd's concurrency Election: txn create-if-absent, watch, keep-alive), calls
// onStartedLeading when it wins and onStoppedLeading the moment it can no longer be sure it
// leads (renew deadline passed, lease gone, key lost) — before the lease can expire and another
// plane win; stop() resigns (lease revoked). writeLeaderLease shows the leader as the Lease
// kube-system/shoal-controller-manager. Works on any Store (the CBOR log or etcd).
export {
  DEFAULT_LEASE_TTL_SECONDS,
  DEFAULT_RENEW_MS,
  LEADER_KEY,
  LeaderElection,
  type ElectionOptions,
} from './election.ts'
export {
  LEADER_LEASE_NAME,
  LEADER_LEASE_NAMESPACE,
  writeLeaderLease,
  type LeaseObjects,
} from './lease-object.ts'
export {
  DEFAULT_MEMBER_TTL_SECONDS,
  ownerOf,
  PLANES_PREFIX,
  PlaneMembers,
  type MembersOptions,
  type PlaneRecord,
} from './members.ts'
