<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>AssistantWindow</name>
    <message>
        <source>LiveDesk assistant — audience</source>
        <translation>LiveDesk 助理 — 观众互动</translation>
    </message>
    <message>
        <source>Filter the stream; Enter searches the whole show</source>
        <translation>筛选弹幕流；按回车搜索整场直播</translation>
    </message>
    <message>
        <source>Delete message</source>
        <translation>删除消息</translation>
    </message>
    <message>
        <source>Block sender</source>
        <translation>屏蔽发送者</translation>
    </message>
    <message>
        <source>Word to block (pinyin and look-alikes are caught too)</source>
        <translation>要屏蔽的词（拼音和形近字也会被拦截）</translation>
    </message>
    <message>
        <source>Unblock word</source>
        <translation>取消屏蔽该词</translation>
    </message>
    <message>
        <source>Blocked words</source>
        <translation>屏蔽词</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Products</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>messages {messages} · questions {questions} · spam {spam} · hidden {hidden} · rejected {rejected} · likes {likes} · orders {orders}</source>
        <translation>消息 {messages} · 提问 {questions} · 垃圾 {spam} · 已隐藏 {hidden} · 已拒收 {rejected} · 点赞 {likes} · 下单 {orders}</translation>
    </message>
</context>
<context>
    <name>AudienceViews</name>
    <message>
        <source>Questions</source>
        <translation>观众提问</translation>
    </message>
    <message>
        <source>Assistant window</source>
        <translation>助理窗口</translation>
    </message>
    <message>
        <source>Connect to audience hub…</source>
        <translation>连接互动服务器…</translation>
    </message>
    <message>
        <source>Import block list…</source>
        <translation>导入屏蔽列表…</translation>
    </message>
    <message>
        <source>Export block list…</source>
        <translation>导出屏蔽列表…</translation>
    </message>
    <message>
        <source>Viewers&apos; hub address…</source>
        <translation>观众互动地址…</translation>
    </message>
    <message>
        <source>Audience</source>
        <translation>观众</translation>
    </message>
    <message>
        <source>Resume the show?</source>
        <translation>继续上一场直播？</translation>
    </message>
    <message>
        <source>The last show did not close properly. Resume it, with its question queue, filters and counters, and read the messages that arrived meanwhile?</source>
        <translation>上一场直播没有正常结束。要继续这一场吗？提问队列、过滤设置和统计数据都会保留，期间收到的消息也会读入。</translation>
    </message>
    <message>
        <source>Audience hub</source>
        <translation>互动服务器</translation>
    </message>
    <message>
        <source>Host endpoint (ws://…/ws/host):</source>
        <translation>主播端地址（ws://…/ws/host）：</translation>
    </message>
    <message>
        <source>Host token:</source>
        <translation>主播令牌：</translation>
    </message>
    <message>
        <source>Import block list</source>
        <translation>导入屏蔽列表</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>文本文件 (*.txt)</translation>
    </message>
    <message>
        <source>Could not read {0}: it must be a UTF-8 text file.</source>
        <translation>无法读取 {0}：需要 UTF-8 文本文件。</translation>
    </message>
    <message>
        <source>{0} entries added to the block lists.</source>
        <translation>已向屏蔽列表添加 {0} 项。</translation>
    </message>
    <message>
        <source>Export block list</source>
        <translation>导出屏蔽列表</translation>
    </message>
    <message>
        <source>Could not write {0}.</source>
        <translation>无法写入 {0}。</translation>
    </message>
    <message>
        <source>Block lists saved to {0}.</source>
        <translation>屏蔽列表已保存到 {0}。</translation>
    </message>
    <message>
        <source>Viewers&apos; hub address</source>
        <translation>观众互动地址</translation>
    </message>
    <message>
        <source>Viewers send danmaku to:
{url}

A rehearsal audience of 50 viewers:
livedesk audience --url {url} --viewers 50 --rate 20 --duration 60</source>
        <translation>观众把弹幕发送到：
{url}

用 50 位模拟观众彩排：
livedesk audience --url {url} --viewers 50 --rate 20 --duration 60</translation>
    </message>
    <message>
        <source>No audience hub yet: the built-in relay starts one, or connect to a hub in Audience ▸ Connect to audience hub…</source>
        <translation>还没有互动服务器：内置转发服务器启动后会提供一个，或者在“观众 ▸ 连接互动服务器…”中连接。</translation>
    </message>
    <message>
        <source>Danmaku lines</source>
        <translation>弹幕行数</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Speed</source>
        <translation>速度</translation>
    </message>
</context>
<context>
    <name>ConsoleCore</name>
    <message>
        <source>The built-in relay could not start: {error}</source>
        <translation>内置转发服务器无法启动：{error}</translation>
    </message>
</context>
<context>
    <name>Destinations</name>
    <message>
        <source>RTMP server</source>
        <translation>自定义 RTMP 服务器</translation>
    </message>
    <message>
        <source>YouTube</source>
        <translation>YouTube</translation>
    </message>
    <message>
        <source>哔哩哔哩 Bilibili</source>
        <translation>哔哩哔哩</translation>
    </message>
    <message>
        <source>快手 Kuaishou</source>
        <translation>快手</translation>
    </message>
    <message>
        <source>抖音 Douyin</source>
        <translation>抖音</translation>
    </message>
    <message>
        <source>淘宝直播 Taobao Live</source>
        <translation>淘宝直播</translation>
    </message>
    <message>
        <source>视频号 Video Channels</source>
        <translation>视频号</translation>
    </message>
</context>
<context>
    <name>DestinationsPanel</name>
    <message>
        <source>Off</source>
        <translation>未开启</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>LIVE</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重连…</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>出现问题</translation>
    </message>
    <message>
        <source>Destination</source>
        <translation>推流目标</translation>
    </message>
    <message>
        <source>State</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>name shown here (optional)</source>
        <translation>在此显示的名称（可选）</translation>
    </message>
    <message>
        <source>stream key (kept in the system keyring)</source>
        <translation>推流码（保存在系统钥匙串中）</translation>
    </message>
    <message>
        <source>Add destination</source>
        <translation>添加推流目标</translation>
    </message>
    <message>
        <source>Platform</source>
        <translation>平台</translation>
    </message>
    <message>
        <source>URL 推流地址</source>
        <translation>推流地址</translation>
    </message>
    <message>
        <source>Key 推流码</source>
        <translation>推流码</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Remove this destination</source>
        <translation>删除此推流目标</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>Start</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>DevicePicker</name>
    <message>
        <source>Refresh devices</source>
        <extracomment>Modes offered for a camera; 1080p30 MJPEG is what the console asks for by default. Emitted after the host picked a device: (kind, device id).</extracomment>
        <translation>刷新设备</translation>
    </message>
    <message>
        <source>Play a file…</source>
        <translation>播放文件…</translation>
    </message>
    <message>
        <source>Use a video file as the camera (rehearsals)</source>
        <translation>用视频文件代替摄像头（彩排用）</translation>
    </message>
    <message>
        <source>Camera</source>
        <translation>摄像头</translation>
    </message>
    <message>
        <source>Camera mode</source>
        <translation>摄像头模式</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <source>Play a video file as the camera</source>
        <translation>选择代替摄像头播放的视频文件</translation>
    </message>
</context>
<context>
    <name>Devices</name>
    <message>
        <source>Camera {device}</source>
        <extracomment>Consecutive failed reads after which the camera counts as gone (≈1 s at 30 fps).</extracomment>
        <translation>摄像头 {device}</translation>
    </message>
    <message>
        <source>System default microphone</source>
        <extracomment>Blocks buffered between PortAudio and the delivery thread (0.5 s): plenty for a GC pause. No block for this long while running means the device went away. Some servers take over a second to start a fresh capture stream (PulseAudio via ALSA does).</extracomment>
        <translation>系统默认麦克风</translation>
    </message>
    <message>
        <source>SYNTHETIC test pattern (no camera)</source>
        <translation>SYNTHETIC 测试画面（无摄像头）</translation>
    </message>
    <message>
        <source>SYNTHETIC tone 440 Hz −20 dBFS (no microphone)</source>
        <translation>SYNTHETIC 测试音 440 Hz −20 dBFS（无麦克风）</translation>
    </message>
    <message>
        <source>SYNTHETIC silence (no microphone)</source>
        <translation>SYNTHETIC 静音（无麦克风）</translation>
    </message>
    <message>
        <source>SYNTHETIC test pattern {width}×{height}</source>
        <translation>SYNTHETIC 测试画面 {width}×{height}</translation>
    </message>
    <message>
        <source>SYNTHETIC silence</source>
        <translation>SYNTHETIC 静音</translation>
    </message>
    <message>
        <source>SYNTHETIC tone {frequency} Hz {level} dBFS</source>
        <translation>SYNTHETIC 测试音 {frequency} Hz {level} dBFS</translation>
    </message>
</context>
<context>
    <name>FilterList</name>
    <message>
        <source>Add filter</source>
        <translation>添加滤镜</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Apply earlier</source>
        <translation>提前应用</translation>
    </message>
    <message>
        <source>Apply later</source>
        <translation>推后应用</translation>
    </message>
</context>
<context>
    <name>Filters</name>
    <message>
        <source>Beauty (skin smoothing)</source>
        <translation>美颜（磨皮）</translation>
    </message>
    <message>
        <source>Chroma key (green screen)</source>
        <translation>抠像（绿幕）</translation>
    </message>
    <message>
        <source>Colour correction</source>
        <translation>色彩校正</translation>
    </message>
    <message>
        <source>Sharpen</source>
        <translation>锐化</translation>
    </message>
</context>
<context>
    <name>GoLiveController</name>
    <message>
        <source>Not live.</source>
        <extracomment>(state value, plain-words message) PublishStats.to_dict(), once a second while live whole seconds live (0 when not live) endpoint URLs of the embedded relay once it runs ({} when stopped) a problem the host should read that is not a state change (e.g. keyring unavailable)</extracomment>
        <translation>未开播。</translation>
    </message>
    <message>
        <source>the built-in relay (this computer)</source>
        <translation>内置转发服务器（本机）</translation>
    </message>
    <message>
        <source>Connecting to the relay…</source>
        <translation>正在连接转发服务器…</translation>
    </message>
    <message>
        <source>Enter the Janus server URL first.</source>
        <translation>请先填写 Janus 服务器地址。</translation>
    </message>
    <message>
        <source>Stopping…</source>
        <translation>正在停止…</translation>
    </message>
    <message>
        <source>Stopped. Viewers see that the stream ended.</source>
        <translation>已停止。观众会看到直播已结束。</translation>
    </message>
    <message>
        <source>Live on {target}.</source>
        <translation>正在 {target} 直播。</translation>
    </message>
</context>
<context>
    <name>GoLiveFeature</name>
    <message>
        <source>Go live</source>
        <translation>开播</translation>
    </message>
</context>
<context>
    <name>GoLivePanel</name>
    <message>
        <source>Not live</source>
        <translation>未开播</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>LIVE</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>Reconnecting…</source>
        <translation>正在重新连接…</translation>
    </message>
    <message>
        <source>Not live — problem</source>
        <translation>未开播 — 出现问题</translation>
    </message>
    <message>
        <source>Video</source>
        <translation>视频</translation>
    </message>
    <message>
        <source>Audio</source>
        <translation>音频</translation>
    </message>
    <message>
        <source>Frame rate</source>
        <translation>帧率</translation>
    </message>
    <message>
        <source>Resolution</source>
        <translation>分辨率</translation>
    </message>
    <message>
        <source>Round trip</source>
        <translation>往返延迟</translation>
    </message>
    <message>
        <source>Packet loss</source>
        <translation>丢包</translation>
    </message>
    <message>
        <source>NACK / PLI</source>
        <translation>重传 / 关键帧请求</translation>
    </message>
    <message>
        <source>Network</source>
        <translation>网络</translation>
    </message>
    <message>
        <source>good</source>
        <translation>良好</translation>
    </message>
    <message>
        <source>fair</source>
        <translation>一般</translation>
    </message>
    <message>
        <source>poor</source>
        <translation>较差</translation>
    </message>
    <message>
        <source>starting at the last good rate</source>
        <translation>从上次的良好码率起步</translation>
    </message>
    <message>
        <source>queuing delay {0} ms: backing off hard</source>
        <translation>排队延迟 {0} 毫秒：大幅降低码率</translation>
    </message>
    <message>
        <source>loss {0} %: backing off</source>
        <translation>丢包 {0}%：降低码率</translation>
    </message>
    <message>
        <source>delay rising ({0} ms): backing off</source>
        <translation>延迟上升（{0} 毫秒）：降低码率</translation>
    </message>
    <message>
        <source>loss {0} %: holding</source>
        <translation>丢包 {0}%：保持码率</translation>
    </message>
    <message>
        <source>queue draining: holding</source>
        <translation>队列正在排空：保持码率</translation>
    </message>
    <message>
        <source>at full quality</source>
        <translation>已达最高画质</translation>
    </message>
    <message>
        <source>link clean: stepping up</source>
        <translation>网络良好：逐步提高码率</translation>
    </message>
    <message>
        <source>held to the relay&apos;s estimate</source>
        <translation>按中继的估计限制码率</translation>
    </message>
    <message>
        <source>{0} · {1} at {2} kbit/s — {3}</source>
        <translation>{0} · {1}，{2} kbit/s — {3}</translation>
    </message>
    <message>
        <source>Encoder: hardware ({0})</source>
        <translation>编码器：硬件编码（{0}）</translation>
    </message>
    <message>
        <source>Encoder: software x264 ({0} hardware encoders not usable here)</source>
        <translation>编码器：软件编码 x264（本机有 {0} 个硬件编码器不可用）</translation>
    </message>
    <message>
        <source>WHIP relay</source>
        <translation>WHIP 转发服务器</translation>
    </message>
    <message>
        <source>Janus VideoRoom</source>
        <translation>Janus 视频房间</translation>
    </message>
    <message>
        <source>token (kept in the system keyring)</source>
        <translation>令牌（保存在系统密钥环中）</translation>
    </message>
    <message>
        <source>Publish to</source>
        <translation>推流到</translation>
    </message>
    <message>
        <source>URL</source>
        <translation>地址</translation>
    </message>
    <message>
        <source>Token</source>
        <translation>令牌</translation>
    </message>
    <message>
        <source>Room</source>
        <translation>房间</translation>
    </message>
    <message>
        <source>Go live</source>
        <translation>开播</translation>
    </message>
    <message>
        <source>Stop</source>
        <translation>停止</translation>
    </message>
    <message>
        <source>● Record</source>
        <translation>● 录制</translation>
    </message>
    <message>
        <source>Also stream to</source>
        <translation>同时推流</translation>
    </message>
    <message>
        <source>empty = the built-in relay on this computer</source>
        <translation>留空 = 本机内置转发服务器</translation>
    </message>
    <message>
        <source>the built-in relay on this computer</source>
        <translation>本机内置转发服务器</translation>
    </message>
    <message>
        <source>Go live?</source>
        <translation>开始直播？</translation>
    </message>
    <message>
        <source>Start streaming your camera and microphone to {target}?</source>
        <translation>开始把摄像头和麦克风推流到 {target}？</translation>
    </message>
    <message>
        <source>Stop the stream?</source>
        <translation>停止直播？</translation>
    </message>
    <message>
        <source>Stop streaming? Viewers will see the stream end.</source>
        <translation>要停止推流吗？观众会看到直播结束。</translation>
    </message>
    <message>
        <source>{percent} % ({count} packets)</source>
        <translation>{percent} %（{count} 个包）</translation>
    </message>
    <message>
        <source>Viewer page (built-in relay): {url}</source>
        <translation>观看页面（内置转发服务器）：{url}</translation>
    </message>
</context>
<context>
    <name>InsightsFeature</name>
    <message>
        <source>Insights</source>
        <translation>数据洞察</translation>
    </message>
    <message>
        <source>No show is open to bookmark.</source>
        <translation>当前没有可标记的直播场次。</translation>
    </message>
    <message>
        <source>Writing the show&apos;s report…</source>
        <translation>正在生成复盘报告…</translation>
    </message>
    <message>
        <source>Report written: {path}</source>
        <translation>复盘报告已生成：{path}</translation>
    </message>
    <message>
        <source>Report: {problem}</source>
        <translation>复盘报告：{problem}</translation>
    </message>
    <message>
        <source>The show has stopped. Insights ▸ Report… writes its report (summary, charts, every event as CSV).</source>
        <translation>直播已结束。数据洞察 ▸ 复盘报告… 可生成本场报告（概要、图表、全部事件 CSV）。</translation>
    </message>
</context>
<context>
    <name>InsightsPanel</name>
    <message>
        <source>Moment, e.g. 上链接 #3</source>
        <translation>时刻，例如 上链接 #3</translation>
    </message>
    <message>
        <source>Bookmark</source>
        <translation>标记</translation>
    </message>
    <message>
        <source>Mark this moment on the charts and the report</source>
        <translation>在图表和复盘报告上标记此刻</translation>
    </message>
    <message>
        <source>Report…</source>
        <translation>复盘报告…</translation>
    </message>
    <message>
        <source>Write the show&apos;s report and open it</source>
        <translation>生成本场直播的复盘报告并打开</translation>
    </message>
    <message>
        <source>Waiting for the show&apos;s first events…</source>
        <translation>等待本场直播的第一批事件…</translation>
    </message>
    <message>
        <source>Per minute</source>
        <translation>每分钟</translation>
    </message>
    <message>
        <source>Viewers</source>
        <translation>观看人数</translation>
    </message>
    <message>
        <source>Top questions</source>
        <translation>热门问题</translation>
    </message>
    <message>
        <source>Product mentions</source>
        <translation>商品提及</translation>
    </message>
    <message>
        <source>Keyword trends</source>
        <translation>关键词趋势</translation>
    </message>
    <message>
        <source>Messages</source>
        <translation>弹幕</translation>
    </message>
    <message>
        <source>Questions</source>
        <translation>提问</translation>
    </message>
    <message>
        <source>Likes</source>
        <translation>点赞</translation>
    </message>
    <message>
        <source>Orders</source>
        <translation>下单</translation>
    </message>
    <message>
        <source>minute</source>
        <translation>分钟</translation>
    </message>
    <message>
        <source>{events} events over {minutes} min</source>
        <translation>{minutes} 分钟内 {events} 个事件</translation>
    </message>
</context>
<context>
    <name>LayerPanel</name>
    <message>
        <source>Add layer</source>
        <translation>添加图层</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Bring forward</source>
        <translation>上移一层</translation>
    </message>
    <message>
        <source>Send backward</source>
        <translation>下移一层</translation>
    </message>
    <message>
        <source>Position and size</source>
        <translation>位置和大小</translation>
    </message>
    <message>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <source>Filters</source>
        <translation>滤镜</translation>
    </message>
    <message>
        <source>Rename layer</source>
        <translation>重命名图层</translation>
    </message>
    <message>
        <source>Layer name:</source>
        <translation>图层名称：</translation>
    </message>
</context>
<context>
    <name>LevelMeter</name>
    <message>
        <source>Peak {peak} dBFS   RMS {rms} dBFS   Hold {hold}</source>
        <translation>峰值 {peak} dBFS   均值 {rms} dBFS   保持 {hold}</translation>
    </message>
</context>
<context>
    <name>LotteryPanel</name>
    <message>
        <source>e.g. 福袋来了</source>
        <translation>例如：福袋来了</translation>
    </message>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Exact keyword only</source>
        <translation>仅限完全一致的口令</translation>
    </message>
    <message>
        <source>Only viewers who ordered in this show</source>
        <translation>仅限本场下过单的观众</translation>
    </message>
    <message>
        <source>Start lottery</source>
        <translation>开始抽奖</translation>
    </message>
    <message>
        <source>Draw winners</source>
        <translation>开奖</translation>
    </message>
    <message>
        <source>Keyword</source>
        <translation>口令</translation>
    </message>
    <message>
        <source>Entry window</source>
        <translation>参与时长</translation>
    </message>
    <message>
        <source>Winners</source>
        <translation>中奖人数</translation>
    </message>
    <message>
        <source>Prize</source>
        <translation>奖品</translation>
    </message>
    <message>
        <source>No lottery yet.</source>
        <translation>还没有抽奖。</translation>
    </message>
    <message>
        <source>Drawn: %1 entrants, %2 winners.</source>
        <translation>已开奖：%1 人参与，%2 人中奖。</translation>
    </message>
    <message>
        <source>「%1」: %2 entrants, %3 s left</source>
        <translation>「%1」：%2 人参与，还剩 %3 秒</translation>
    </message>
    <message>
        <source>Entries closed: %1 entrants, %2 late. Draw now.</source>
        <translation>参与已截止：%1 人参与，%2 条迟到。现在开奖。</translation>
    </message>
    <message>
        <source>Commitment: %1</source>
        <translation>承诺值：%1</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <source>Quit</source>
        <extracomment>The host confirmed closing: features close their windows and stop their parts.</extracomment>
        <translation>退出</translation>
    </message>
    <message>
        <source>File</source>
        <translation>文件</translation>
    </message>
    <message>
        <source>Preview the raw camera</source>
        <translation>预览原始摄像头画面</translation>
    </message>
    <message>
        <source>Show the camera as captured instead of the program viewers see</source>
        <translation>显示摄像头采集的原始画面，而不是观众看到的节目画面</translation>
    </message>
    <message>
        <source>View</source>
        <extracomment>&quot;module:function&quot; → plain-words error, for features that failed to install.</extracomment>
        <translation>视图</translation>
    </message>
    <message>
        <source>Microphone level</source>
        <translation>麦克风音量</translation>
    </message>
    <message>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <source>The panel {module} could not be loaded ({error}); the rest of the console works.</source>
        <translation>面板 {module} 无法加载（{error}）；控制台其他功能正常。</translation>
    </message>
    <message>
        <source>Language (语言)</source>
        <translation>语言 (Language)</translation>
    </message>
    <message>
        <source>Same as the system</source>
        <translation>跟随系统</translation>
    </message>
    <message>
        <source>The language changes the next time LiveDesk opens.</source>
        <translation>语言将在下次打开 LiveDesk 时切换。</translation>
    </message>
    <message>
        <source>starting</source>
        <translation>启动中</translation>
    </message>
    <message>
        <source>running</source>
        <translation>运行中</translation>
    </message>
    <message>
        <source>stopped</source>
        <translation>已停止</translation>
    </message>
    <message>
        <source>failed</source>
        <translation>失败</translation>
    </message>
    <message>
        <source>ended</source>
        <translation>已结束</translation>
    </message>
    <message>
        <source>Capture: {state} ({device})</source>
        <translation>采集：{state}（{device}）</translation>
    </message>
    <message>
        <source>dropped {count}</source>
        <translation>丢帧 {count}</translation>
    </message>
    <message>
        <source>Mic: {device}</source>
        <translation>麦克风：{device}</translation>
    </message>
    <message>
        <source>End the show?</source>
        <translation>结束直播？</translation>
    </message>
    <message>
        <source>You are live. Quitting stops the stream for every viewer and closes LiveDesk. Quit now?</source>
        <translation>正在直播。退出会为所有观众停止直播并关闭 LiveDesk。现在退出吗？</translation>
    </message>
</context>
<context>
    <name>MediaController</name>
    <message>
        <source>Camera {device}: {reason}. Keeping the current picture.</source>
        <extracomment>A problem the host must read (device failed, fell back, processor broke). Plain words. A device problem&apos;s notice (its text) that is over: the host picked a device that works. (kind &quot;video&quot;/&quot;audio&quot;, state value, message) whenever the active source&apos;s status changes. The active device of a kind changed: (kind, device id).</extracomment>
        <translation>摄像头 {device}：{reason}。继续使用当前画面。</translation>
    </message>
    <message>
        <source>Microphone {device}: {reason}. Keeping the current one.</source>
        <translation>麦克风 {device}：{reason}。继续使用当前麦克风。</translation>
    </message>
    <message>
        <source>Camera problem: {reason} Showing the SYNTHETIC test pattern instead; pick another device in Devices.</source>
        <translation>摄像头出现问题：{reason} 现在显示测试画面（SYNTHETIC）；请在“设备”中选择其他设备。</translation>
    </message>
    <message>
        <source>Microphone problem: {reason} Using SYNTHETIC silence instead; pick another device in Devices.</source>
        <translation>麦克风出现问题：{reason} 现在使用静音（SYNTHETIC）代替；请在“设备”中选择其他设备。</translation>
    </message>
    <message>
        <source>The voice processing failed ({reason}) and was switched off; the microphone is sent unprocessed.</source>
        <translation>人声处理出错（{reason}），已关闭；麦克风声音将不经处理直接发送。</translation>
    </message>
</context>
<context>
    <name>MixerPanel</name>
    <message>
        <source>Program mix</source>
        <translation>节目混音</translation>
    </message>
    <message>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
</context>
<context>
    <name>Notice</name>
    <message>
        <source>Cannot reach the relay at {where} ({reason}). Check the URL and that the relay is running.</source>
        <translation>无法连接 {where} 的中继服务器（{reason}）。请检查地址，并确认中继服务器正在运行。</translation>
    </message>
    <message>
        <source>Cannot record in {folder}: {reason}</source>
        <translation>无法在 {folder} 录制：{reason}</translation>
    </message>
    <message>
        <source>Connecting to the relay…</source>
        <translation>正在连接中继服务器…</translation>
    </message>
    <message>
        <source>Connecting to {destination}…</source>
        <translation>正在连接 {destination}…</translation>
    </message>
    <message>
        <source>Connection lost ({message}) Reconnecting in {wait} s…</source>
        <translation>连接中断（{message}），{wait} 秒后重新连接…</translation>
    </message>
    <message>
        <source>Connection to {destination} lost ({problem}), reconnecting in {seconds} s…</source>
        <translation>与 {destination} 的连接中断（{problem}），{seconds} 秒后重新连接…</translation>
    </message>
    <message>
        <source>Gave up reconnecting after {window:.0f} s. Last problem: {message}</source>
        <translation>重连 {window:.0f} 秒后仍未成功，已停止重连。最后一次问题：{message}</translation>
    </message>
    <message>
        <source>Live on {destination}.</source>
        <translation>正在 {destination} 直播。</translation>
    </message>
    <message>
        <source>Live via {where}.</source>
        <translation>已通过 {where} 直播。</translation>
    </message>
    <message>
        <source>Live.</source>
        <translation>直播中。</translation>
    </message>
    <message>
        <source>LiveDesk cannot open addresses like {where}.</source>
        <translation>LiveDesk 无法打开 {where} 这类地址。</translation>
    </message>
    <message>
        <source>LiveDesk is not allowed to read {where}.</source>
        <translation>LiveDesk 没有读取 {where} 的权限。</translation>
    </message>
    <message>
        <source>Microphone {device} could not be opened at 48 kHz: {exc}</source>
        <translation>麦克风 {device} 无法以 48 kHz 打开：{exc}</translation>
    </message>
    <message>
        <source>Microphone {device} stopped sending sound (unplugged?).</source>
        <translation>麦克风 {device} 没有声音了（是否被拔出？）。</translation>
    </message>
    <message>
        <source>Not recording: only {free} free in {folder} (at least {needed} needed). Free some space or choose another recording folder.</source>
        <translation>未录制：{folder} 只剩 {free} 可用空间（至少需要 {needed}）。请清理空间或选择其他录制文件夹。</translation>
    </message>
    <message>
        <source>Nothing answers at {where}. Is the camera or the phone app streaming?</source>
        <translation>{where} 没有响应。摄像头或手机应用正在推流吗？</translation>
    </message>
    <message>
        <source>Opening {device}…</source>
        <translation>正在打开 {device}…</translation>
    </message>
    <message>
        <source>Recorded {seconds:.0f} s to {path}.</source>
        <translation>已录制 {seconds:.0f} 秒，保存到 {path}。</translation>
    </message>
    <message>
        <source>Recording stopped after {seconds:.0f} s: {reason}. The file so far ({name}) is kept and plays; the stream goes on.</source>
        <translation>录制在 {seconds:.0f} 秒后停止：{reason}。已录下的文件（{name}）保留且可播放；直播继续。</translation>
    </message>
    <message>
        <source>Recording stopped before the first picture.</source>
        <translation>录制在第一帧画面之前就停止了。</translation>
    </message>
    <message>
        <source>Recording stopped: {exc}</source>
        <translation>录制已停止：{exc}</translation>
    </message>
    <message>
        <source>Recording to {path}.</source>
        <translation>正在录制到 {path}。</translation>
    </message>
    <message>
        <source>Sending to {destination} stopped on an unexpected error ({problem}).</source>
        <translation>向 {destination} 推流因意外错误停止（{problem}）。</translation>
    </message>
    <message>
        <source>Space is running low: {free} left for the recording.</source>
        <translation>磁盘空间不足：录制只剩 {free}。</translation>
    </message>
    <message>
        <source>Stopped sending to {destination}.</source>
        <translation>已停止推流到 {destination}。</translation>
    </message>
    <message>
        <source>Stopped.</source>
        <translation>已停止。</translation>
    </message>
    <message>
        <source>The connection to the relay at {where} failed ({error}).</source>
        <translation>与 {where} 的中继服务器的连接失败（{error}）。</translation>
    </message>
    <message>
        <source>The media connection to the relay failed (ICE/DTLS).</source>
        <translation>与中继服务器的媒体连接失败（ICE/DTLS）。</translation>
    </message>
    <message>
        <source>The media connection to the relay failed.</source>
        <translation>与中继服务器的媒体连接失败。</translation>
    </message>
    <message>
        <source>The push URL must start with rtmp:// or rtmps:// and name a server.</source>
        <translation>推流地址必须以 rtmp:// 或 rtmps:// 开头，并包含服务器地址。</translation>
    </message>
    <message>
        <source>The relay answered, but no media connection came up within {timeout:.0f} s (a firewall, or a TURN server may be needed).</source>
        <translation>中继服务器已应答，但 {timeout:.0f} 秒内未建立媒体连接（可能被防火墙拦截，或需要 TURN 服务器）。</translation>
    </message>
    <message>
        <source>The relay at {where} answered with unexpected HTTP status {status}.</source>
        <translation>{where} 的中继服务器返回了意外的 HTTP 状态 {status}。</translation>
    </message>
    <message>
        <source>The relay at {where} cannot accept our media ({http}): it may not support H.264 video or Opus audio.</source>
        <translation>{where} 的中继服务器无法接收我们的音视频（{http}）：它可能不支持 H.264 视频或 Opus 音频。</translation>
    </message>
    <message>
        <source>The relay at {where} did not answer within {seconds:g} s.</source>
        <translation>{where} 的中继服务器在 {seconds:g} 秒内没有应答。</translation>
    </message>
    <message>
        <source>The relay at {where} does not allow this token here ({http}). Check that the token is for this stream.</source>
        <translation>{where} 的中继服务器不允许此令牌用于这里（{http}）。请确认令牌属于这个直播流。</translation>
    </message>
    <message>
        <source>The relay at {where} does not support this ({http}).</source>
        <translation>{where} 的中继服务器不支持此操作（{http}）。</translation>
    </message>
    <message>
        <source>The relay at {where} had an internal problem (HTTP {status}). Try again shortly.</source>
        <translation>{where} 的中继服务器内部出错（HTTP {status}）。请稍后再试。</translation>
    </message>
    <message>
        <source>The relay at {where} has nothing at this address ({http}). Check the relay URL.</source>
        <translation>{where} 的中继服务器在此地址上没有内容（{http}）。请检查中继服务器地址。</translation>
    </message>
    <message>
        <source>The relay at {where} is limiting attempts (HTTP 429); trying again in a moment.</source>
        <translation>{where} 的中继服务器正在限制连接次数（HTTP 429）；稍后重试。</translation>
    </message>
    <message>
        <source>The relay at {where} is limiting attempts (HTTP 429); trying again in {seconds:.0f} s.</source>
        <translation>{where} 的中继服务器正在限制连接次数（HTTP 429）；{seconds:.0f} 秒后重试。</translation>
    </message>
    <message>
        <source>The relay at {where} refused the token ({http}). Check the token.</source>
        <translation>{where} 的中继服务器拒绝了令牌（{http}）。请检查令牌。</translation>
    </message>
    <message>
        <source>The relay at {where} rejected the request as malformed ({http}).</source>
        <translation>{where} 的中继服务器认为请求格式有误（{http}）。</translation>
    </message>
    <message>
        <source>The relay at {where} says the session changed meanwhile ({http}).</source>
        <translation>{where} 的中继服务器表示会话在此期间已改变（{http}）。</translation>
    </message>
    <message>
        <source>The relay at {where} says this stream is already being published ({http}). Stop the other publisher or use another stream.</source>
        <translation>{where} 的中继服务器表示此直播流已在推流中（{http}）。请停止另一个推流端或使用其他直播流。</translation>
    </message>
    <message>
        <source>The relay closed the connection.</source>
        <translation>中继服务器关闭了连接。</translation>
    </message>
    <message>
        <source>The relay stopped confirming our media {silent:.0f} s ago.</source>
        <translation>中继服务器已有 {silent:.0f} 秒没有确认收到我们的音视频。</translation>
    </message>
    <message>
        <source>The relay&apos;s answer is not a usable WebRTC description ({error}).</source>
        <translation>中继服务器的应答不是可用的 WebRTC 描述（{error}）。</translation>
    </message>
    <message>
        <source>The server name {host} is unknown (check the push URL).</source>
        <translation>找不到服务器 {host}（请检查推流地址）。</translation>
    </message>
    <message>
        <source>The server of {where} failed to send the stream (a server error).</source>
        <translation>{where} 的服务器未能发送视频流（服务器错误）。</translation>
    </message>
    <message>
        <source>The server {host}:{port} did not answer.</source>
        <translation>服务器 {host}:{port} 没有响应。</translation>
    </message>
    <message>
        <source>The server {host}:{port} refused the connection (check the push URL).</source>
        <translation>服务器 {host}:{port} 拒绝连接（请检查推流地址）。</translation>
    </message>
    <message>
        <source>Unexpected error: {exc}</source>
        <translation>意外错误：{exc}</translation>
    </message>
    <message>
        <source>Waiting for the first keyframe to record {name}…</source>
        <translation>正在等待第一个关键帧以录制 {name}…</translation>
    </message>
    <message>
        <source>What comes from {where} is not video LiveDesk can read.</source>
        <translation>来自 {where} 的内容不是 LiveDesk 能读取的视频。</translation>
    </message>
    <message>
        <source>connection refused</source>
        <translation>连接被拒绝</translation>
    </message>
    <message>
        <source>no permission to write there</source>
        <translation>没有写入权限</translation>
    </message>
    <message>
        <source>the disk is full</source>
        <translation>磁盘已满</translation>
    </message>
    <message>
        <source>the server closed the connection</source>
        <translation>服务器关闭了连接</translation>
    </message>
    <message>
        <source>{destination} refused the stream: check the stream key (推流码) and that the live room is open.</source>
        <translation>{destination} 拒绝了推流：请检查推流码，并确认直播间已开播。</translation>
    </message>
    <message>
        <source>{device} could not be opened.</source>
        <translation>{device} 无法打开。</translation>
    </message>
    <message>
        <source>{device} does not support {want}; running at {got}.</source>
        <translation>{device} 不支持 {want}；当前以 {got} 运行。</translation>
    </message>
    <message>
        <source>{device} stopped sending pictures (unplugged?).</source>
        <translation>{device} 没有画面了（是否被拔出？）。</translation>
    </message>
    <message>
        <source>{name} ended.</source>
        <translation>{name} 已播放完毕。</translation>
    </message>
    <message>
        <source>{name} has no {kind} track.</source>
        <translation>{name} 没有{kind}轨道。</translation>
    </message>
    <message>
        <source>{reason} Trying again in {pause:g} s.</source>
        <translation>{reason} {pause:g} 秒后重试。</translation>
    </message>
    <message>
        <source>{where} cannot be reached: the address may be wrong, or the network is down.</source>
        <translation>无法连接 {where}：地址可能有误，或网络已断开。</translation>
    </message>
    <message>
        <source>{where} did not answer in time.</source>
        <translation>{where} 没有及时响应。</translation>
    </message>
    <message>
        <source>{where} does not exist.</source>
        <translation>{where} 不存在。</translation>
    </message>
    <message>
        <source>{where} dropped the connection.</source>
        <translation>{where} 断开了连接。</translation>
    </message>
    <message>
        <source>{where} ended.</source>
        <translation>{where} 已结束。</translation>
    </message>
    <message>
        <source>{where} has no such stream (the server answered “not found”). Check the address.</source>
        <translation>{where} 没有这个视频流（服务器回答“未找到”）。请检查地址。</translation>
    </message>
    <message>
        <source>{where} refused access. Check the user name and password in the address.</source>
        <translation>{where} 拒绝访问。请检查地址中的用户名和密码。</translation>
    </message>
    <message>
        <source>{where} refused the request. Check the address.</source>
        <translation>{where} 拒绝了请求。请检查地址。</translation>
    </message>
    <message>
        <source>{where} sends video in a format LiveDesk cannot decode.</source>
        <translation>{where} 发送的视频格式 LiveDesk 无法解码。</translation>
    </message>
    <message>
        <source>“{endpoint}” is not an http:// or https:// URL.</source>
        <translation>“{endpoint}”不是 http:// 或 https:// 地址。</translation>
    </message>
</context>
<context>
    <name>NoticeBar</name>
    <message>
        <source>Dismiss</source>
        <extracomment>The docks of the first layout, by stable name (`add_dock(name=…)`): the left column&apos;s top panel, the panels tabbed under it (first one in front) and the right column&apos;s. Column widths of the first layout as a share of the window width, with a floor in pixels.</extracomment>
        <translation>忽略</translation>
    </message>
</context>
<context>
    <name>OnAir</name>
    <message>
        <source>signal good</source>
        <translation>信号良好</translation>
    </message>
    <message>
        <source>signal fair</source>
        <translation>信号一般</translation>
    </message>
    <message>
        <source>signal poor</source>
        <translation>信号较差</translation>
    </message>
    <message>
        <source>● LIVE {elapsed}</source>
        <translation>● 直播中 {elapsed}</translation>
    </message>
    <message>
        <source>Reconnecting… {elapsed} (paused)</source>
        <translation>正在重连… {elapsed}（已暂停计时）</translation>
    </message>
    <message>
        <source>Connecting…</source>
        <translation>正在连接…</translation>
    </message>
    <message>
        <source>Not live</source>
        <translation>未开播</translation>
    </message>
    <message>
        <source>LiveDesk live console</source>
        <translation>LiveDesk 直播控制台</translation>
    </message>
</context>
<context>
    <name>PreviewWidget</name>
    <message>
        <source>No video</source>
        <extracomment>Internal wake-up, emitted on the capture thread, delivered queued on the GUI thread. Emitted on the GUI thread after a frame was painted: (pts_ns, painted_ns). Shown when there is no frame yet (e.g. &quot;Starting camera…&quot;).</extracomment>
        <translation>无画面</translation>
    </message>
</context>
<context>
    <name>ProductEditor</name>
    <message>
        <source>Name</source>
        <translation>名称</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>Flash price</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>链接</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>e.g. 99</source>
        <translation>例如 99</translation>
    </message>
    <message>
        <source>optional, e.g. 59.9</source>
        <translation>可选，例如 59.9</translation>
    </message>
    <message>
        <source>whole number, e.g. 100</source>
        <translation>整数，例如 100</translation>
    </message>
    <message>
        <source>https://…</source>
        <translation>https://…</translation>
    </message>
    <message>
        <source>Choose…</source>
        <translation>选择…</translation>
    </message>
    <message>
        <source>New</source>
        <translation>新建</translation>
    </message>
    <message>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Import…</source>
        <translation>导入…</translation>
    </message>
    <message>
        <source>This product was deleted; Save adds it again.</source>
        <translation>该商品已被删除；点“保存”可重新添加。</translation>
    </message>
    <message>
        <source>New product: fill in the form and Save.</source>
        <translation>新商品：填写表单后点“保存”。</translation>
    </message>
    <message>
        <source>Not saved: correct the fields marked in red.</source>
        <translation>未保存：请修改标红的字段。</translation>
    </message>
    <message>
        <source>Saved “%1”.</source>
        <translation>已保存“%1”。</translation>
    </message>
    <message>
        <source>Deleted “%1”; it is still in the form: Save adds it again.</source>
        <translation>已删除“%1”；表单中仍保留，点“保存”可重新添加。</translation>
    </message>
    <message>
        <source>Product image</source>
        <translation>商品图片</translation>
    </message>
    <message>
        <source>Images (*.png *.jpg *.jpeg *.webp)</source>
        <translation>图片 (*.png *.jpg *.jpeg *.webp)</translation>
    </message>
    <message>
        <source>Import products</source>
        <translation>导入商品</translation>
    </message>
    <message>
        <source>Product lists (*.csv *.json)</source>
        <translation>商品列表 (*.csv *.json)</translation>
    </message>
    <message>
        <source>%1 products imported.</source>
        <translation>已导入 %1 个商品。</translation>
    </message>
    <message>
        <source>Line %1: %2</source>
        <translation>第 %1 行：%2</translation>
    </message>
    <message>
        <source>Required.</source>
        <translation>必填。</translation>
    </message>
    <message>
        <source>“%1” is not a number.</source>
        <translation>“%1”不是数字。</translation>
    </message>
    <message>
        <source>“%1” is not a whole number.</source>
        <translation>“%1”不是整数。</translation>
    </message>
    <message>
        <source>Cannot be negative.</source>
        <translation>不能为负数。</translation>
    </message>
    <message>
        <source>The flash price must not be above the price.</source>
        <translation>秒杀价不能高于原价。</translation>
    </message>
    <message>
        <source>The link must start with http:// or https://.</source>
        <translation>链接必须以 http:// 或 https:// 开头。</translation>
    </message>
    <message>
        <source>No image file at “%1”.</source>
        <translation>找不到图片文件“%1”。</translation>
    </message>
</context>
<context>
    <name>ProgramFeature</name>
    <message>
        <source>Scenes</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Layers</source>
        <translation>图层</translation>
    </message>
    <message>
        <source>Audio mix</source>
        <translation>混音</translation>
    </message>
    <message>
        <source>Studio mode is off: the next scene is prepared here</source>
        <translation>演播室模式已关闭：下一个场景会在这里准备</translation>
    </message>
    <message>
        <source>Next scene (studio)</source>
        <translation>下一个场景（演播室）</translation>
    </message>
</context>
<context>
    <name>Properties</name>
    <message>
        <source>%</source>
        <translation>%</translation>
    </message>
    <message>
        <source>1 dB under the threshold turns the sound down by this many dB; large = hard gate.</source>
        <translation>低于阈值 1 dB 时声音降低的分贝数；数值大 = 硬门限。</translation>
    </message>
    <message>
        <source>1080×1920 portrait</source>
        <translation>1080×1920 竖屏</translation>
    </message>
    <message>
        <source>1280×720 landscape</source>
        <translation>1280×720 横屏</translation>
    </message>
    <message>
        <source>1920×1080 landscape</source>
        <translation>1920×1080 横屏</translation>
    </message>
    <message>
        <source>3D LUT file</source>
        <translation>3D LUT 文件</translation>
    </message>
    <message>
        <source>6 dB back in 12 ms at 500 dB/s: a click or plosive ducks little speech.</source>
        <translation>以 500 dB/s 的速度 12 毫秒恢复 6 dB：咔哒声或爆破音只会压低很少的语音。</translation>
    </message>
    <message>
        <source>720×1280 portrait</source>
        <translation>720×1280 竖屏</translation>
    </message>
    <message>
        <source>A font family installed on this computer; empty = default</source>
        <translation>本机已安装的字体；留空 = 默认字体</translation>
    </message>
    <message>
        <source>Accent colour</source>
        <translation>强调色</translation>
    </message>
    <message>
        <source>Alignment</source>
        <translation>对齐</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>强度</translation>
    </message>
    <message>
        <source>Asked by</source>
        <translation>提问者</translation>
    </message>
    <message>
        <source>Attack</source>
        <translation>启动时间</translation>
    </message>
    <message>
        <source>Automatic (adapts to the room)</source>
        <translation>自动（适应房间环境）</translation>
    </message>
    <message>
        <source>Automatic gain</source>
        <translation>自动增益</translation>
    </message>
    <message>
        <source>Automatic tells the room (steady noise, clicks, voices, music) and treats each its own way; spectral gating suits steady noise only; RNNoise adds 10 ms of delay.</source>
        <translation>“自动”会识别房间环境（稳定噪声、咔哒声、人声、音乐）并分别处理；频谱门限只适合稳定噪声；RNNoise 会增加 10 毫秒延迟。</translation>
    </message>
    <message>
        <source>Bold</source>
        <translation>粗体</translation>
    </message>
    <message>
        <source>Brightening</source>
        <translation>美白提亮</translation>
    </message>
    <message>
        <source>Brightness</source>
        <translation>亮度</translation>
    </message>
    <message>
        <source>Ceiling</source>
        <translation>上限</translation>
    </message>
    <message>
        <source>Centre</source>
        <translation>居中</translation>
    </message>
    <message>
        <source>Colour</source>
        <translation>颜色</translation>
    </message>
    <message>
        <source>Contrast</source>
        <translation>对比度</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>Crop bottom</source>
        <translation>裁剪下边</translation>
    </message>
    <message>
        <source>Crop left</source>
        <translation>裁剪左边</translation>
    </message>
    <message>
        <source>Crop right</source>
        <translation>裁剪右边</translation>
    </message>
    <message>
        <source>Crop top</source>
        <translation>裁剪上边</translation>
    </message>
    <message>
        <source>Duration</source>
        <translation>时长</translation>
    </message>
    <message>
        <source>Empty when there is no flash sale</source>
        <translation>没有秒杀时留空</translation>
    </message>
    <message>
        <source>Ends at</source>
        <translation>结束时间</translation>
    </message>
    <message>
        <source>Fall time</source>
        <translation>下降时间</translation>
    </message>
    <message>
        <source>Fill (crop to shape)</source>
        <translation>填充（裁剪以适应）</translation>
    </message>
    <message>
        <source>Fit inside (keep shape)</source>
        <translation>完整显示（保持比例）</translation>
    </message>
    <message>
        <source>Flash price</source>
        <translation>秒杀价</translation>
    </message>
    <message>
        <source>Follow the room</source>
        <translation>跟随房间环境</translation>
    </message>
    <message>
        <source>Font</source>
        <translation>字体</translation>
    </message>
    <message>
        <source>Gain</source>
        <translation>增益</translation>
    </message>
    <message>
        <source>Gamma</source>
        <translation>伽马</translation>
    </message>
    <message>
        <source>Gate / expander</source>
        <translation>噪声门 / 扩展器</translation>
    </message>
    <message>
        <source>Height</source>
        <translation>高度</translation>
    </message>
    <message>
        <source>Hold</source>
        <translation>保持</translation>
    </message>
    <message>
        <source>How far kept music is lowered while you speak.</source>
        <translation>说话时保留的音乐降低多少。</translation>
    </message>
    <message>
        <source>How much is the screen</source>
        <translation>与幕布颜色的接近程度</translation>
    </message>
    <message>
        <source>Image</source>
        <translation>图片</translation>
    </message>
    <message>
        <source>Image file</source>
        <translation>图片文件</translation>
    </message>
    <message>
        <source>In a room with music, keep it and only lower it while you speak.</source>
        <translation>房间里有音乐时保留音乐，只在说话时降低音量。</translation>
    </message>
    <message>
        <source>Keep learning the room&apos;s noise in speech pauses.</source>
        <translation>在说话间隙持续学习房间噪声。</translation>
    </message>
    <message>
        <source>Keep music</source>
        <translation>保留音乐</translation>
    </message>
    <message>
        <source>Key colour</source>
        <translation>抠像颜色</translation>
    </message>
    <message>
        <source>LUFS</source>
        <translation>LUFS</translation>
    </message>
    <message>
        <source>LUT strength</source>
        <translation>LUT 强度</translation>
    </message>
    <message>
        <source>Least gain</source>
        <translation>最小增益</translation>
    </message>
    <message>
        <source>Left</source>
        <translation>左对齐</translation>
    </message>
    <message>
        <source>Left colour</source>
        <translation>左方颜色</translation>
    </message>
    <message>
        <source>Left score</source>
        <translation>左方分数</translation>
    </message>
    <message>
        <source>Left side</source>
        <translation>左方</translation>
    </message>
    <message>
        <source>Magenta (+) or green (−)</source>
        <translation>偏品红（+）或偏绿（−）</translation>
    </message>
    <message>
        <source>Method</source>
        <translation>方法</translation>
    </message>
    <message>
        <source>Most gain</source>
        <translation>最大增益</translation>
    </message>
    <message>
        <source>Music under the voice</source>
        <translation>人声下的音乐</translation>
    </message>
    <message>
        <source>Mute</source>
        <translation>静音</translation>
    </message>
    <message>
        <source>Noise suppression</source>
        <translation>降噪</translation>
    </message>
    <message>
        <source>Opacity</source>
        <translation>不透明度</translation>
    </message>
    <message>
        <source>Outline</source>
        <translation>描边</translation>
    </message>
    <message>
        <source>Outline colour</source>
        <translation>描边颜色</translation>
    </message>
    <message>
        <source>PK scoreboard</source>
        <translation>PK 比分板</translation>
    </message>
    <message>
        <source>Panel colour</source>
        <translation>面板颜色</translation>
    </message>
    <message>
        <source>Pinned question</source>
        <translation>置顶问题</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>Product card</source>
        <translation>商品卡片</translation>
    </message>
    <message>
        <source>Product name</source>
        <translation>商品名称</translation>
    </message>
    <message>
        <source>Product picture</source>
        <translation>商品图片</translation>
    </message>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Quieter sound never counts as speech, so the gain does not move for it.</source>
        <translation>更小的声音不算作说话，增益不会因此变化。</translation>
    </message>
    <message>
        <source>Quietest speech</source>
        <translation>最小语音音量</translation>
    </message>
    <message>
        <source>RMS over 1 ms; below it the sound is turned down.</source>
        <translation>1 毫秒均方根；低于此值的声音会被压低。</translation>
    </message>
    <message>
        <source>RNNoise</source>
        <translation>RNNoise 降噪</translation>
    </message>
    <message>
        <source>Radius</source>
        <translation>半径</translation>
    </message>
    <message>
        <source>Range</source>
        <translation>范围</translation>
    </message>
    <message>
        <source>Ratio</source>
        <translation>比率</translation>
    </message>
    <message>
        <source>Release</source>
        <translation>释放时间</translation>
    </message>
    <message>
        <source>Removes the screen&apos;s colour cast from the host</source>
        <translation>去除幕布在主播身上的反光色</translation>
    </message>
    <message>
        <source>Right</source>
        <translation>右对齐</translation>
    </message>
    <message>
        <source>Right colour</source>
        <translation>右方颜色</translation>
    </message>
    <message>
        <source>Right score</source>
        <translation>右方分数</translation>
    </message>
    <message>
        <source>Right side</source>
        <translation>右方</translation>
    </message>
    <message>
        <source>Rise time</source>
        <translation>上升时间</translation>
    </message>
    <message>
        <source>Rotation</source>
        <translation>旋转</translation>
    </message>
    <message>
        <source>Saturation</source>
        <translation>饱和度</translation>
    </message>
    <message>
        <source>Scaling</source>
        <translation>缩放方式</translation>
    </message>
    <message>
        <source>Send its sound to the program mix</source>
        <translation>把它的声音送入节目混音</translation>
    </message>
    <message>
        <source>Shadow colour</source>
        <translation>阴影颜色</translation>
    </message>
    <message>
        <source>Shadow distance</source>
        <translation>阴影距离</translation>
    </message>
    <message>
        <source>Short-term loudness the voice is brought to.</source>
        <translation>人声调整到的短期响度。</translation>
    </message>
    <message>
        <source>Similarity</source>
        <translation>相似度</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>大小</translation>
    </message>
    <message>
        <source>Skin smoothing</source>
        <translation>磨皮</translation>
    </message>
    <message>
        <source>Smoothness</source>
        <translation>平滑度</translation>
    </message>
    <message>
        <source>Softness of the edge</source>
        <translation>边缘柔和度</translation>
    </message>
    <message>
        <source>Source</source>
        <translation>来源</translation>
    </message>
    <message>
        <source>Spectral gating (steady noise)</source>
        <translation>频谱门限（稳定噪声）</translation>
    </message>
    <message>
        <source>Spill reduction</source>
        <translation>溢色抑制</translation>
    </message>
    <message>
        <source>Stock left</source>
        <translation>剩余库存</translation>
    </message>
    <message>
        <source>Strength</source>
        <translation>强度</translation>
    </message>
    <message>
        <source>Stretch</source>
        <translation>拉伸</translation>
    </message>
    <message>
        <source>Target loudness</source>
        <translation>目标响度</translation>
    </message>
    <message>
        <source>Temperature</source>
        <translation>色温</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>文字</translation>
    </message>
    <message>
        <source>Text colour</source>
        <translation>文字颜色</translation>
    </message>
    <message>
        <source>The most any sound is turned down.</source>
        <translation>任何声音最多被压低的量。</translation>
    </message>
    <message>
        <source>Threshold</source>
        <translation>阈值</translation>
    </message>
    <message>
        <source>Tint</source>
        <translation>色调</translation>
    </message>
    <message>
        <source>Title</source>
        <translation>标题</translation>
    </message>
    <message>
        <source>True-peak limiter</source>
        <translation>真峰值限制器</translation>
    </message>
    <message>
        <source>Unix time the sale ends; 0 = not started</source>
        <translation>秒杀结束的 Unix 时间；0 = 未开始</translation>
    </message>
    <message>
        <source>Video source</source>
        <translation>视频源</translation>
    </message>
    <message>
        <source>Warmer (+) or cooler (−)</source>
        <translation>更暖（+）或更冷（−）</translation>
    </message>
    <message>
        <source>While the gain comes down (too-loud speech is corrected faster).</source>
        <translation>增益降低的时间（过响的语音会更快修正）。</translation>
    </message>
    <message>
        <source>While the gain goes up.</source>
        <translation>增益升高的时间。</translation>
    </message>
    <message>
        <source>Width</source>
        <translation>宽度</translation>
    </message>
    <message>
        <source>Winners</source>
        <translation>中奖者</translation>
    </message>
    <message>
        <source>Winners banner</source>
        <translation>中奖横幅</translation>
    </message>
    <message>
        <source>X</source>
        <translation>横坐标</translation>
    </message>
    <message>
        <source>Y</source>
        <translation>纵坐标</translation>
    </message>
    <message>
        <source>camera = the camera picked in Devices; or camera:N, a file path, a named pipe, - (standard input), rtsp://…, srt://…, rtmp://…, http(s)://…, test</source>
        <translation>camera = 设备中选择的摄像头；或 camera:N、文件路径、命名管道、-（标准输入）、rtsp://…、srt://…、rtmp://…、http(s)://…、test</translation>
    </message>
    <message>
        <source>dB</source>
        <translation>分贝</translation>
    </message>
    <message>
        <source>dB/s</source>
        <translation>分贝/秒</translation>
    </message>
    <message>
        <source>dBFS</source>
        <translation>dBFS</translation>
    </message>
    <message>
        <source>dBTP</source>
        <translation>dBTP</translation>
    </message>
    <message>
        <source>ms</source>
        <translation>毫秒</translation>
    </message>
    <message>
        <source>px</source>
        <translation>像素</translation>
    </message>
    <message>
        <source>s</source>
        <translation>秒</translation>
    </message>
    <message>
        <source>°</source>
        <translation>°</translation>
    </message>
</context>
<context>
    <name>PropertyForm</name>
    <message>
        <source>Browse…</source>
        <extracomment>A validated copy of the settings after each edit by the person.</extracomment>
        <translation>浏览…</translation>
    </message>
</context>
<context>
    <name>QuestionQueue</name>
    <message>
        <source>Question</source>
        <translation>问题</translation>
    </message>
    <message>
        <source>Asked</source>
        <translation>提问时间</translation>
    </message>
    <message>
        <source>Askers</source>
        <translation>提问人数</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <source>Open</source>
        <translation>待回答</translation>
    </message>
    <message>
        <source>Pinned</source>
        <translation>已置顶</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>Dismissed</source>
        <translation>已忽略</translation>
    </message>
    <message>
        <source>Asked by a viewer who bought</source>
        <translation>已下单买家的提问</translation>
    </message>
</context>
<context>
    <name>QuestionQueueWidget</name>
    <message>
        <source>Search all questions (answered and dismissed too), Enter</source>
        <translation>搜索所有问题（包括已回答和已忽略的），按回车</translation>
    </message>
    <message>
        <source>Pin</source>
        <translation>置顶</translation>
    </message>
    <message>
        <source>Unpin</source>
        <translation>取消置顶</translation>
    </message>
    <message>
        <source>Answered</source>
        <translation>已回答</translation>
    </message>
    <message>
        <source>Next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>Dismiss</source>
        <translation>忽略</translation>
    </message>
    <message>
        <source>Reopen</source>
        <translation>重新打开</translation>
    </message>
    <message>
        <source>Merge</source>
        <translation>合并</translation>
    </message>
    <message>
        <source>Key: {0}</source>
        <translation>抠像：{0}</translation>
    </message>
    <message numerus="yes">
        <source>▲ %n new — show</source>
        <translation>
            <numerusform>▲ %n 条新问题 — 显示</numerusform>
        </translation>
    </message>
    <message>
        <source>nothing yet</source>
        <translation>暂无</translation>
    </message>
    <message>
        <source>Just asked:</source>
        <translation>刚刚提问：</translation>
    </message>
    <message>
        <source>Pinned: {0}</source>
        <translation>已置顶：{0}</translation>
    </message>
    <message>
        <source>Nothing pinned</source>
        <translation>没有置顶问题</translation>
    </message>
</context>
<context>
    <name>RecordingIndicator</name>
    <message>
        <source>● REC {0} · {1}</source>
        <translation>● 录制中 {0} · {1}</translation>
    </message>
    <message>
        <source>● REC</source>
        <translation>● 录制中</translation>
    </message>
</context>
<context>
    <name>ReportJob</name>
    <message>
        <source>There is no show yet to report on.</source>
        <translation>还没有可生成报告的直播场次。</translation>
    </message>
</context>
<context>
    <name>SaleFeature</name>
    <message>
        <source>Products</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Flash sale</source>
        <translation>秒杀</translation>
    </message>
    <message>
        <source>Lottery</source>
        <translation>抽奖</translation>
    </message>
</context>
<context>
    <name>SalePanel</name>
    <message>
        <source> s</source>
        <translation> 秒</translation>
    </message>
    <message>
        <source>Start flash sale</source>
        <translation>开始秒杀</translation>
    </message>
    <message>
        <source>Product</source>
        <translation>商品</translation>
    </message>
    <message>
        <source>Price</source>
        <translation>价格</translation>
    </message>
    <message>
        <source>Units</source>
        <translation>数量</translation>
    </message>
    <message>
        <source>Per viewer</source>
        <translation>每人限购</translation>
    </message>
    <message>
        <source>Countdown</source>
        <translation>倒计时</translation>
    </message>
    <message>
        <source>Sold</source>
        <translation>已售</translation>
    </message>
    <message>
        <source>Stock</source>
        <translation>库存</translation>
    </message>
    <message>
        <source>Cancel sale…</source>
        <translation>取消秒杀…</translation>
    </message>
    <message>
        <source>+30 s</source>
        <translation>延长 30 秒</translation>
    </message>
    <message>
        <source>¥%1</source>
        <translation>¥%1</translation>
    </message>
    <message>
        <source>¥%1 (was ¥%2)</source>
        <translation>¥%1（原价 ¥%2）</translation>
    </message>
    <message>
        <source>Cancel sale</source>
        <translation>取消秒杀</translation>
    </message>
    <message>
        <source>Reason viewers will see:</source>
        <translation>观众会看到的原因：</translation>
    </message>
    <message>
        <source>Countdown extended by 30 s</source>
        <translation>倒计时延长 30 秒</translation>
    </message>
    <message>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <source>Sold out</source>
        <translation>已售罄</translation>
    </message>
    <message>
        <source>Link live</source>
        <translation>链接已上架</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
</context>
<context>
    <name>ScenePanel</name>
    <message>
        <source>Add</source>
        <extracomment>The scene whose layers the Layers panel edits (the one on air, or the prepared one).</extracomment>
        <translation>添加</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>复制</translation>
    </message>
    <message>
        <source>Remove</source>
        <translation>删除</translation>
    </message>
    <message>
        <source>Move the scene up</source>
        <translation>上移场景</translation>
    </message>
    <message>
        <source>Move the scene down</source>
        <translation>下移场景</translation>
    </message>
    <message>
        <source>Cut</source>
        <translation>直接切换</translation>
    </message>
    <message>
        <source>Fade</source>
        <translation>淡入淡出</translation>
    </message>
    <message>
        <source>Studio mode (prepare the next scene, then Take)</source>
        <translation>演播室模式（先准备下一个场景，再切换上播）</translation>
    </message>
    <message>
        <source>Take</source>
        <translation>切换上播</translation>
    </message>
    <message>
        <source>Put the prepared scene on air</source>
        <translation>把准备好的场景切换到直播</translation>
    </message>
    <message>
        <source>Canvas</source>
        <translation>画布</translation>
    </message>
    <message>
        <source>Transition</source>
        <translation>转场</translation>
    </message>
    <message>
        <source>Hotkey</source>
        <translation>快捷键</translation>
    </message>
    <message>
        <source>ON AIR</source>
        <translation>直播中</translation>
    </message>
    <message>
        <source>next</source>
        <translation>下一个</translation>
    </message>
    <message>
        <source>New scene</source>
        <translation>新建场景</translation>
    </message>
    <message>
        <source>Scene name:</source>
        <translation>场景名称：</translation>
    </message>
    <message>
        <source>Scene</source>
        <translation>场景</translation>
    </message>
    <message>
        <source>Rename scene</source>
        <translation>重命名场景</translation>
    </message>
</context>
<context>
    <name>VoiceFeature</name>
    <message>
        <source>Voice</source>
        <translation>人声</translation>
    </message>
    <message>
        <source>Voice: {problem}</source>
        <translation>人声处理：{problem}</translation>
    </message>
</context>
<context>
    <name>VoiceMeters</name>
    <message>
        <source>In {in_peak} dBFS peak / {in_rms} RMS · Out {out_peak} / {out_rms} · GR {reduction} dB · AGC {agc} dB</source>
        <translation>输入 峰值 {in_peak} dBFS / 均值 {in_rms} · 输出 {out_peak} / {out_rms} · 压低 {reduction} dB · 自动增益 {agc} dB</translation>
    </message>
    <message>
        <source>In</source>
        <translation>输入</translation>
    </message>
    <message>
        <source>Out</source>
        <translation>输出</translation>
    </message>
</context>
<context>
    <name>VoicePanel</name>
    <message>
        <source>Learn this room</source>
        <translation>学习房间噪声</translation>
    </message>
    <message>
        <source>Stay quiet for {seconds} s while the microphone listens to the room.</source>
        <translation>请保持安静 {seconds} 秒，让麦克风听一下房间的声音。</translation>
    </message>
    <message>
        <source>Room: —</source>
        <extracomment>One generated form per registered stage, by stage name.</extracomment>
        <translation>房间：—</translation>
    </message>
    <message>
        <source>Noise suppression is off.</source>
        <translation>降噪已关闭。</translation>
    </message>
    <message>
        <source>RNNoise removes what is not speech; choose Automatic to have the room told.</source>
        <translation>RNNoise 会去除非语音的声音；选择“自动”可以识别房间环境。</translation>
    </message>
    <message>
        <source>Room: listening…</source>
        <translation>房间：正在聆听…</translation>
    </message>
    <message>
        <source>Waiting for sound from the microphone.</source>
        <translation>等待麦克风的声音。</translation>
    </message>
    <message>
        <source>Room: quiet</source>
        <translation>房间：安静</translation>
    </message>
    <message>
        <source>Room: steady noise (fan, hum, traffic)</source>
        <translation>房间：稳定噪声（风扇、电流声、车流）</translation>
    </message>
    <message>
        <source>Room: clicks and rustle (keys, taps, parcels)</source>
        <translation>房间：咔哒声和窸窣声（键盘、敲击、包裹）</translation>
    </message>
    <message>
        <source>Room: other people talking</source>
        <translation>房间：有其他人说话</translation>
    </message>
    <message>
        <source>Room: music</source>
        <translation>房间：有音乐</translation>
    </message>
    <message>
        <source>Spectral gating removes the steady part of the noise.</source>
        <translation>频谱门限会去除噪声中稳定的部分。</translation>
    </message>
    <message>
        <source>Little to remove: a light touch.</source>
        <translation>需要去除的很少：轻度处理。</translation>
    </message>
    <message>
        <source>The learned room noise is removed under your voice.</source>
        <translation>已学习的房间噪声会在您的人声下被去除。</translation>
    </message>
    <message>
        <source>Clicks are removed as they happen; your voice is kept.</source>
        <translation>咔哒声出现时即被去除；您的人声保持不变。</translation>
    </message>
    <message>
        <source>Other voices are lowered gently so yours is never cut.</source>
        <translation>其他人声会被轻轻压低，您的声音不会被切断。</translation>
    </message>
    <message>
        <source>The music is removed under your voice.</source>
        <translation>音乐会在您的人声下被去除。</translation>
    </message>
    <message>
        <source>The music is kept, and lowered {db} dB while you speak.</source>
        <translation>音乐会保留，您说话时降低 {db} dB。</translation>
    </message>
    <message>
        <source>Listening to the room… please stay quiet.</source>
        <translation>正在聆听房间…请保持安静。</translation>
    </message>
    <message>
        <source>Room learned (keeps adapting in pauses).</source>
        <translation>已学习房间噪声（说话间隙会持续适应）。</translation>
    </message>
    <message>
        <source>Room not learned yet (estimated automatically); learn it for the best result.</source>
        <translation>尚未学习房间噪声（目前自动估计）；学习一次效果最好。</translation>
    </message>
</context>
</TS>
