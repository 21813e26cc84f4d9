;; spinner: a wasi:cli command that never ends. It burns CPU in a loop (a counter kept in memory,
;; so every turn loads and stores) and prints a heartbeat every 2^28 turns. Used to test
;; deadlines, CPU limits and that a runaway instance can be stopped.
(module
  ;; @include ../wat-lib/wasi-p1.wat

  (data (i32.const 8192) "spinner: spinning forever\n\00")
  (data (i32.const 8256) "spinner: \00")
  (data (i32.const 8320) " turns\n\00")

  (func (export "_start")
    (local $turns i64)
    (call $put (i32.const 8192))
    (call $flush)
    (loop $spin
      (i64.store (i32.const 128) (i64.add (i64.load (i32.const 128)) (i64.const 1)))
      (local.set $turns (i64.load (i32.const 128)))
      (if (i64.eqz (i64.and (local.get $turns) (i64.const 0xfffffff)))
        (then
          (call $put (i32.const 8256))
          (call $put_num (local.get $turns))
          (call $put (i32.const 8320))
          (call $flush)))
      (br $spin))))
