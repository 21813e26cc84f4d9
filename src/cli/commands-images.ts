// `shoal image build | push | ls | inspect | rm`: components in and out of the plane's registry,
// as commander commands; each action hands its arguments to a verb in verbs/image*.ts.
import type { Command } from 'commander'
import type { Run } from './commands-objects.ts'
import { imageInspect, imageLs, imageRm } from './verbs/image.ts'
import { imageBuild } from './verbs/image-build.ts'
import { imagePush } from './verbs/image-push.ts'

export function imageCommands(program: Command, run: Run): void {
  const image = program
    .command('image')
    .description('components: build from a folder, push to the plane, list, inspect, remove')
  image
    .command('build')
    .argument('<dir>', 'a folder with image.json and its source (JavaScript or WAT)')
    .description('build a component from a folder (as in firmware-images/)')
    .option('-t, --tag <name:tag>', 'the name:tag push uses (default: name:version of image.json)')
    .option(
      '-o, --output <file>',
      'the .wasm to write (default ./<name>.wasm; its .json beside it)',
    )
    .action((dir, _o, cmd) => run(cmd, (ctx, o) => imageBuild(ctx, dir, o)))
  image
    .command('push')
    .argument('<source>', 'a .wasm (its .json beside it read when there) or a folder to build')
    .argument('[name:tag]', 'the name and tag (default: the tag it was built with)')
    .description("upload a component to the current context's plane and tag it")
    .option('--progress', 'a progress bar on stderr even when it is not a terminal')
    .action((src, ref, _o, cmd) => run(cmd, (ctx, o) => imagePush(ctx, src, ref, o)))
  image
    .command('ls')
    .alias('list')
    .description("the plane's images: NAME TAG DIGEST KIND SIZE AGE")
    .option('-o, --output <format>', 'json')
    .option('--no-trunc', 'whole digests')
    .action((_o, cmd) =>
      run(cmd, (ctx, o) => imageLs(ctx, { output: o.output, noTrunc: o.trunc === false })),
    )
  image
    .command('inspect')
    .argument('<image>', 'name:tag, sha256:<digest>, name@sha256:… or a digest prefix')
    .description('one image as JSON: digest, size, kind, world, exports, prepared artifact, tags')
    .action((ref, _o, cmd) => run(cmd, (ctx) => imageInspect(ctx, ref)))
  image
    .command('rm')
    .alias('remove')
    .argument('<images...>', 'name:tag (untags it) or a digest (deletes its bytes)')
    .description('untag name:tag, or delete a digest; refused while a pod or workload uses it')
    .option('--force', 'even when in use; a digest with tags loses them too')
    .action((refs, _o, cmd) => run(cmd, (ctx, o) => imageRm(ctx, refs, o)))
}
