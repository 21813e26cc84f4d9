;; hello-wat-v2: hello-wat's second version — the same handler with another answer, so that a
;; rollout and its undo can be seen (`shoal up` pushes it as hello-wat:v2, hello-wat as
;; hello-wat:v1). It answers "hello again v2: " (16 bytes, as v1's greeting) followed by the
;; request bytes. Everything else is hello-wat/handle.wat, line for line.
(module
  (memory (export "memory") 1)
  (global $heap (mut i32) (i32.const 1024))
  (data (i32.const 16) "hello again v2: ")

  ;; cabi_realloc(old_ptr, old_size, align, new_size) -> ptr
  (func $realloc (export "cabi_realloc")
    (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $ptr i32)
    ;; ptr = align_up(heap, align)
    (local.set $ptr
      (i32.and
        (i32.sub (i32.add (global.get $heap) (local.get $align)) (i32.const 1))
        (i32.sub (i32.const 0) (local.get $align))))
    (global.set $heap (i32.add (local.get $ptr) (local.get $size)))
    ;; grow the memory until the heap fits
    (block $fits
      (loop $grow
        (br_if $fits
          (i32.le_u (global.get $heap) (i32.shl (memory.size) (i32.const 16))))
        (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
        (br $grow)))
    (if (local.get $old)
      (then (memory.copy (local.get $ptr) (local.get $old) (local.get $old_size))))
    (local.get $ptr))

  ;; handle(req_ptr, req_len) -> pointer to (answer_ptr, answer_len)
  (func (export "handle") (param $req i32) (param $len i32) (result i32)
    (local $answer i32) (local $ret i32)
    (local.set $answer
      (call $realloc (i32.const 0) (i32.const 0) (i32.const 1)
        (i32.add (i32.const 16) (local.get $len))))
    (memory.copy (local.get $answer) (i32.const 16) (i32.const 16))
    (memory.copy (i32.add (local.get $answer) (i32.const 16)) (local.get $req) (local.get $len))
    (local.set $ret (call $realloc (i32.const 0) (i32.const 0) (i32.const 4) (i32.const 8)))
    (i32.store (local.get $ret) (local.get $answer))
    (i32.store offset=4 (local.get $ret) (i32.add (i32.const 16) (local.get $len)))
    (local.get $ret))

  ;; called after the host has copied the answer out: free everything
  (func (export "cabi_post_handle") (param $ret i32)
    (global.set $heap (i32.const 1024))))
