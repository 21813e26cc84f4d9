// Preload for tools that run through preview2-shim (jco, componentize-js): shim 0.26.1 starts with
// no preopens, so their wasm-tools/splicer components cannot read host files ("os error 44").
// Usage: node --import ./firmware-images/preopen-all.mjs <script>   (build.mjs imports it itself)
import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem'

_setPreopens({ '/': '/' })
