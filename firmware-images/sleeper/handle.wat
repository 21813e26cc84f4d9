;; sleeper: the core module of a `handler` component (world sleeper in ../wit/worlds.wit) that waits
;; in a host call, as a guest calling a slow upstream does:
;;   export handle: func(req: list<u8>) -> list<u8>
;; A request whose body starts with decimal digits N sleeps N ms — monotonic-clock.subscribe-duration,
;; then pollable.block, then the pollable dropped — and answers "slept " followed by the request
;; bytes; any other request answers at once. The canonical ABI is written by hand, as in hello-wat.
(module
  (import "wasi:clocks/monotonic-clock@0.2.10" "subscribe-duration"
    (func $subscribe_duration (param i64) (result i32)))
  (import "wasi:io/poll@0.2.10" "[method]pollable.block" (func $block (param i32)))
  (import "wasi:io/poll@0.2.10" "[resource-drop]pollable" (func $drop (param i32)))
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "slept ")

  ;; cabi_realloc(old_ptr, old_size, align, new_size) -> ptr (a bump allocator)
  (func $realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    (local.set $ptr
      (i32.and
        (i32.sub (i32.add (global.get $heap) (local.get $align)) (i32.const 1))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    (block $fits
      (loop $grow
        (br_if $fits
          (i32.le_u (global.get $heap) (i32.shl (memory.size) (i32.const 16))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  ;; the leading decimal digits of the request, as milliseconds (0 if there are none)
  (func $millis (param $req i32) (param $len i32) (result i64)
    (local $i i32) (local $digit i32) (local $ms i64)
    (block $done
      (loop $next
        (br_if $done (i32.ge_u (local.get $i) (local.get $len)))
        (local.set $digit
          (i32.sub (i32.load8_u (i32.add (local.get $req) (local.get $i))) (i32.const 48)))
        (br_if $done (i32.gt_u (local.get $digit) (i32.const 9)))
        (local.set $ms
          (i64.add (i64.mul (local.get $ms) (i64.const 10)) (i64.extend_i32_u (local.get $digit))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
    (local.get $ms))

  (func $sleep (param $ms i64)
    (local $pollable i32)
    (local.set $pollable
      (call $subscribe_duration (i64.mul (local.get $ms) (i64.const 1000000))))
    (call $block (local.get $pollable))
    (call $drop (local.get $pollable)))

  ;; handle(req_ptr, req_len) -> pointer to (answer_ptr, answer_len)
  (func (export "handle") (param $req i32) (param $len i32) (result i32)
    (local $ms i64) (local $answer i32) (local $ret i32)
    (local.set $ms (call $millis (local.get $req) (local.get $len)))
    (if (i64.gt_u (local.get $ms) (i64.const 0)) (then (call $sleep (local.get $ms))))
    (local.set $answer
      (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.add (i32.const 6) (local.get $len))))
    (memory.copy (local.get $answer) (i32.const 16) (i32.const 6))
    (memory.copy (i32.add (local.get $answer) (i32.const 6)) (local.get $req) (local.get $len))
    (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
    (i32.store (local.get $ret) (local.get $answer))
    (i32.store offset=4 (local.get $ret) (i32.add (i32.const 6) (local.get $len)))
    (local.get $ret))

  ;; called after the host has copied the answer out: free everything
  (func (export "cabi_post_handle") (param $ret i32)
    (global.set $heap (i32.const 1024))))
