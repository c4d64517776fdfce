// A process that runs one silent, minutes-long ffmpeg through runMediaTool, as a worker does.
// media-tool-lifetime.test.ts SIGKILLs this process: ffmpeg writes nothing, so no broken pipe would ever stop it.
// argv[2] is a marker the test finds the ffmpeg by (in its metadata argument).
import { locateMediaTools, runMediaTool } from '../../server/services/media/ffmpeg'

const tools = await locateMediaTools()
await runMediaTool(tools.ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'quiet', '-nostats', '-re', '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=10', '-t', '300', '-metadata', `comment=${process.argv[2]}`, '-f', 'null', '-'])
