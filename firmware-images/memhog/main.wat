;; memhog: a wasi:cli command that allocates memory without end, 1 MiB at a time, writing to every
;; 4 KiB page so the memory is really used, and printing progress every MEMHOG_REPORT_MIB
;; (default 16) MiB. When memory cannot grow (the memory cap, or wasm32's 4 GiB) it says so and
;; traps (unreachable), as C's abort() does. Used to test memory limits (OOMKilled).
(module
  ;; @include ../wat-lib/wasi-p1.wat

  (data (i32.const 8192) "MEMHOG_REPORT_MIB\00")
  (data (i32.const 8256) "memhog: allocating 1 MiB chunks, reporting every \00")
  (data (i32.const 8320) " MiB\n\00")
  (data (i32.const 8384) "memhog: \00")
  (data (i32.const 8448) "memhog: out of memory after \00")

  (func (export "_start")
    (local $report i64) (local $mib i64) (local $chunk i32) (local $at i32)
    (local.set $report (call $env_number (i32.const 8192) (i64.const 16)))
    (if (i64.le_s (local.get $report) (i64.const 0)) (then (local.set $report (i64.const 16))))
    (call $put (i32.const 8256))
    (call $put_num (local.get $report))
    (call $put (i32.const 8320))
    (call $flush)
    (local.set $mib (i64.const 1))
    (loop $grow
      (local.set $chunk (call $alloc (i32.const 0x100000)))
      (if (i32.eqz (local.get $chunk))
        (then
          (call $to (i32.const 2))
          (call $put (i32.const 8448))
          (call $put_num (i64.sub (local.get $mib) (i64.const 1)))
          (call $put (i32.const 8320))
          (call $flush)
          (unreachable)))
      (local.set $at (i32.const 0))
      (loop $touch
        (i32.store8 (i32.add (local.get $chunk) (local.get $at))
          (i32.add (i32.wrap_i64 (local.get $mib)) (local.get $at)))
        (local.set $at (i32.add (local.get $at) (i32.const 4096)))
        (br_if $touch (i32.lt_u (local.get $at) (i32.const 0x100000))))
      (if (i64.eqz (i64.rem_u (local.get $mib) (local.get $report)))
        (then
          (call $put (i32.const 8384))
          (call $put_num (local.get $mib))
          (call $put (i32.const 8320))
          (call $flush)))
      (local.set $mib (i64.add (local.get $mib) (i64.const 1)))
      (br $grow))))
