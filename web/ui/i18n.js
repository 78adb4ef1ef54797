// All user-visible strings of the riskmap front end, in one dictionary.
// Chinese (zh) is the default; English (en) is chosen with ?lang=en or the
// toggle button, and the choice is kept in localStorage.

const STORAGE_KEY = 'riskmap.lang';

export const LANGS = ['zh', 'en'];

/** @type {Record<'zh'|'en', Record<string, string>>} */
const STRINGS = {
  zh: {
    'app.title': '安全风险一张图',
    'lang.toggle': 'English',
    'lang.toggle.title': 'Switch to English',
    'layers.heading': '图层',
    'layers.hint': '点的颜色表示风险等级，圈边颜色和大小区分类别。',
    'legend.heading': '风险等级',
    'legend.hint': '区县底色为其范围内对象的最高等级。',
    'changes.heading': '最新变化',
    'changes.grade': '{name}：{from} → {to}',
    'changes.overdue': '隐患逾期：{title}',
    'changes.more': '另有 {n} 项',
    'home.title': '回到全市范围',
    'card.close': '关闭',
    'card.loading': '正在加载详情…',
    'card.notFound': '未找到该对象（可能已被删除）。',
    'card.error': '详情加载失败',
    'card.category': '类别',
    'card.grade': '风险等级',
    'card.county': '所属区县',
    'card.method': '评估方法',
    'card.score': '风险值',
    'card.assessedAt': '评估日期',
    'card.source': '数据来源',
    'card.updatedAt': '更新时间',
    'card.coords': '坐标',
    'card.attributes': '属性',
    'card.noAttributes': '无其他属性',
    'card.none': '—',
    'card.why': '评估依据',
    'card.scheme': '评估方案',
    'card.level': '原始等级',
    'card.scored': '方案结果',
    'card.inputs': '评估输入',
    'card.rules': '适用规则',
    'card.noRules': '无',
    'card.history': '等级历史',
    'card.noHistory': '暂无评估记录',
    'history.import': '导入',
    'history.api': '人工评估',
    'history.recompute': '重新计算',
    'history.hidden_hazard': '隐患变化',
    'hazard.kicker': '事故隐患',
    'hazard.code': '隐患编号',
    'hazard.level': '隐患级别',
    'hazard.level.major': '重大事故隐患',
    'hazard.level.general': '一般事故隐患',
    'hazard.state': '状态',
    'hazard.deadline': '整改期限',
    'hazard.supervision': '督办期限',
    'hazard.overdue': '已超期',
    'hazard.unit': '责任单位',
    'hazard.steps': '闭环过程',
    'state.reported': '已上报',
    'state.assigned': '已交办',
    'state.rectifying': '整改中',
    'state.pending_acceptance': '待验收',
    'state.accepted': '已验收',
    'state.closed': '已销号',
    'state.invalid': '无效',
    'region.kicker': '区域四色统计',
    'region.total': '对象总数',
    'region.cell': '{km} 公里网格',
    'value.true': '是',
    'value.false': '否',
    'error.webgl.title': '无法显示地图',
    'error.webgl.body': '此浏览器或显卡不支持 WebGL2，地图无法显示。请使用新版 Chrome、Edge、Firefox 或 360/奇安信浏览器的极速模式，并在浏览器设置中开启“硬件加速”。如仍无法显示，请联系信息中心。',
    'error.webgl.detail': '技术信息',
    'error.config': '配置加载失败，使用默认设置。',
    'login.heading': '登录',
    'login.hint': '此地图需要登录后查看。',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.sso': '统一身份认证登录',
    'login.wrong': '用户名或密码错误。',
    'login.busy': '尝试次数过多，请稍候再试。',
    'login.failed': '登录失败，请稍后再试或联系信息中心。',
    'nav.zoomIn': '放大',
    'nav.zoomOut': '缩小',
    'nav.resetBearing': '重置方向',
    'attribution.toggle': '数据来源说明',
    'map.aria': '风险地图',
    'login.button': '登录',
    'login.cancel': '取消',
    'dispatch.button': '调度',
    'dispatch.heading': '调度面板',
    'dispatch.who': '调度员：{user}',
    'dispatch.open': '处置中的事件',
    'dispatch.noIncidents': '暂无未结束的事件。',
    'dispatch.new': '新建事件',
    'dispatch.kind': '事件类型',
    'dispatch.level': '事件等级',
    'dispatch.title': '标题',
    'dispatch.title.ph': '如：某村山体滑坡',
    'dispatch.description': '描述',
    'dispatch.coords': '坐标',
    'dispatch.coords.hint': '可粘贴“经度,纬度”或度分秒（如 28°27′N 119°55′E），或点“地图选点”后在地图上点击。',
    'dispatch.crs': '坐标系',
    'dispatch.crs.wgs84': 'WGS84 / 天地图 / GPS',
    'dispatch.crs.gcj02': 'GCJ-02（高德/腾讯）',
    'dispatch.crs.bd09': 'BD-09（百度）',
    'dispatch.place': '地图选点',
    'dispatch.placing': '请在地图上点击…',
    'dispatch.create': '创建事件',
    'dispatch.back': '事件列表',
    'dispatch.status.open': '待处置',
    'dispatch.status.responding': '处置中',
    'dispatch.status.closed': '已结束',
    'dispatch.iso': '等时圈（5/10/15/30 分钟）',
    'dispatch.respond': '开始处置',
    'dispatch.close': '结束',
    'dispatch.confirmClose': '结束事件“{title}”并释放其全部力量？',
    'dispatch.assignedHeading': '已派遣力量（{n}）',
    'dispatch.noneAssigned': '尚未派遣力量。',
    'dispatch.release': '撤回',
    'dispatch.assign': '派遣',
    'dispatch.isAssigned': '已派遣',
    'dispatch.assigned': '已派遣：{name}',
    'dispatch.rank': '排序',
    'dispatch.by.time': '按用时',
    'dispatch.by.distance': '按距离',
    'dispatch.onlyAvailable': '仅显示可用/待命',
    'dispatch.noCandidates': '附近没有符合条件的对象。',
    'dispatch.col.name': '名称',
    'dispatch.col.distance': '直线距离',
    'dispatch.col.time': '路程用时',
    'dispatch.col.status': '状态',
    'dispatch.col.headcount': '人数',
    'dispatch.col.capacity': '容纳人数',
    'dispatch.min': '{n} 分钟',
    'dispatch.route': '路线：{km}，约 {min}',
    'dispatch.eta': '；含出动准备预计到达 {min}',
    'dispatch.straight': '直线距离 {km}。',
    'dispatch.noNetwork': '未加载路网：按直线距离，无法计算路线和用时。',
    'dispatch.unreachable': '路网中无可达路线。',
    'dispatch.unreachableShort': '不可达',
    'dispatch.loading': '加载中…',
    'dispatch.around': '周边情况',
    'dispatch.within': '{km} 公里内',
    'dispatch.polygon': '区域内',
    'dispatch.hazards': '事故隐患',
    'dispatch.hazardCount': '{total} 处（重大 {major}）',
    'dispatch.shelterCount': '{n} 处，可容纳 {cap} 人',
    'dispatch.population': '估算人口',
    'dispatch.people': '约 {n} 人',
    'dispatch.unknown': '未知',
    'dispatch.err.busy': '该力量已派往其他事件，不能重复派遣。',
    'dispatch.err.conflict': '操作与当前状态冲突，请刷新后重试。',
    'dispatch.err.login': '登录已失效，请重新登录。',
    'dispatch.err.forbidden': '无调度权限。',
    'dispatch.err.notFound': '未找到（可能已被删除或结束）。',
    'dispatch.err.bad': '输入有误。',
    'dispatch.err.failed': '操作失败，请稍后再试。',
    'dispatch.err.coords': '请填写坐标，或在地图上选点。',
    'dispatch.err.title': '请填写标题。',
    'dispatch.err.invalid': '输入有误：{detail}',
    'report.button': '导出',
    'report.heading': '导出报告图',
    'report.extent': '范围',
    'report.extent.view': '当前视图',
    'report.extent.county': '区县',
    'report.county': '选择区县',
    'report.county.choose': '请选择区县…',
    'report.county.loading': '正在加载区县…',
    'report.paper': '纸张',
    'report.orientation': '方向',
    'report.landscape': '横向',
    'report.portrait': '纵向',
    'report.title': '标题',
    'report.format': '格式',
    'report.hint': '在浏览器中按 150 dpi 绘制：标题、图例、比例尺、指北针、日期、数据来源和四色统计表。',
    'report.export': '导出',
    'report.close': '关闭',
    'report.busy': '正在绘制报告图…',
    'report.done': '已导出：{file}',
    'report.err.failed': '导出失败，请稍后再试。',
    'report.err.counties': '区县列表加载失败。',
    'report.err.noCounty': '请选择区县。',
    'report.titleSuffix': '风险四色图',
    'report.subject': '安全风险四色图',
    'report.extentLabel': '范围：',
    'report.dateLabel': '制图日期：',
    'report.sourceLabel': '数据来源：',
    'report.maker': '制图：riskmap',
    'report.north': '北',
    'report.legend': '图例',
    'report.table': '四色统计表',
    'report.col.category': '类别',
    'report.g.red': '重大',
    'report.g.orange': '较大',
    'report.g.yellow': '一般',
    'report.g.blue': '低',
    'report.g.unassessed': '未评估',
    'report.g.total': '合计',
    'report.total': '合计',
    'report.note.county': '统计口径：该区县范围内的全部在册对象（个）。',
    'report.note.view': '统计口径：图幅范围内的全部在册对象（个）。',
    'kind.landslide': '山体滑坡/泥石流',
    'kind.hazmat_leak': '危化品泄漏',
    'kind.fire': '火灾',
    'kind.forest_fire': '森林火灾',
    'kind.flood': '洪涝',
    'kind.traffic': '道路交通事故',
    'kind.mine': '矿山事故',
    'kind.building_collapse': '建筑坍塌',
    'kind.other': '其他',
    'level.I': 'Ⅰ级（特别重大）',
    'level.II': 'Ⅱ级（重大）',
    'level.III': 'Ⅲ级（较大）',
    'level.IV': 'Ⅳ级（一般）',
    'rtype.fire': '消防救援',
    'rtype.forest_fire': '森林消防',
    'rtype.hazmat': '危化品救援',
    'rtype.mine': '矿山救护',
    'rtype.water': '水域救援',
    'rtype.geological': '地质灾害',
    'rtype.medical': '医疗急救',
    'rtype.materials': '物资储备',
    'rtype.social': '社会力量',
    'rtype.grassroots': '基层队伍',
    'rtype.power': '电力抢修',
    'rtype.comms': '通信保障',
    'rtype.road': '交通抢通',
    'rtype.militia': '民兵',
  },
  en: {
    'app.title': 'Safety Risk Map',
    'lang.toggle': '中文',
    'lang.toggle.title': '切换到中文',
    'layers.heading': 'Layers',
    'layers.hint': 'Fill colour shows the risk grade; ring colour and size show the category.',
    'legend.heading': 'Risk grade',
    'legend.hint': 'Counties are tinted by the highest grade inside them.',
    'changes.heading': 'Latest changes',
    'changes.grade': '{name}: {from} → {to}',
    'changes.overdue': 'Hazard overdue: {title}',
    'changes.more': '{n} more',
    'home.title': 'Zoom to the whole city',
    'card.close': 'Close',
    'card.loading': 'Loading details…',
    'card.notFound': 'Not found (the object may have been deleted).',
    'card.error': 'Could not load details',
    'card.category': 'Category',
    'card.grade': 'Risk grade',
    'card.county': 'County',
    'card.method': 'Method',
    'card.score': 'Score',
    'card.assessedAt': 'Assessed on',
    'card.source': 'Source',
    'card.updatedAt': 'Updated',
    'card.coords': 'Coordinates',
    'card.attributes': 'Attributes',
    'card.noAttributes': 'No further attributes',
    'card.none': '—',
    'card.why': 'Why this grade',
    'card.scheme': 'Scheme',
    'card.level': 'Native level',
    'card.scored': 'Scheme result',
    'card.inputs': 'Inputs',
    'card.rules': 'Rules applied',
    'card.noRules': 'None',
    'card.history': 'Grade history',
    'card.noHistory': 'No assessment yet',
    'history.import': 'Import',
    'history.api': 'Assessment',
    'history.recompute': 'Recompute',
    'history.hidden_hazard': 'Hidden hazard',
    'hazard.kicker': 'Hidden hazard',
    'hazard.code': 'Code',
    'hazard.level': 'Level',
    'hazard.level.major': 'Major hidden hazard',
    'hazard.level.general': 'General hidden hazard',
    'hazard.state': 'State',
    'hazard.deadline': 'Rectify by',
    'hazard.supervision': 'Supervision deadline',
    'hazard.overdue': 'Overdue',
    'hazard.unit': 'Responsible unit',
    'hazard.steps': 'Steps',
    'state.reported': 'Reported',
    'state.assigned': 'Assigned',
    'state.rectifying': 'Rectifying',
    'state.pending_acceptance': 'Awaiting acceptance',
    'state.accepted': 'Accepted',
    'state.closed': 'Closed',
    'state.invalid': 'Invalid',
    'region.kicker': 'Regional four-colour counts',
    'region.total': 'Objects',
    'region.cell': '{km} km cell',
    'value.true': 'Yes',
    'value.false': 'No',
    'error.webgl.title': 'The map cannot be shown',
    'error.webgl.body': 'This browser or graphics card does not support WebGL2, which the map needs. Use a current Chrome, Edge or Firefox (or the fast mode of 360/Qi-An-Xin browsers) with hardware acceleration switched on. If that does not help, contact the IT centre.',
    'error.webgl.detail': 'Technical details',
    'error.config': 'Could not load the configuration; using defaults.',
    'login.heading': 'Log in',
    'login.hint': 'This map needs you to log in.',
    'login.username': 'User name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.sso': 'Sign on with the bureau\'s single sign-on',
    'login.wrong': 'Wrong user name or password.',
    'login.busy': 'Too many attempts: wait a little, then try again.',
    'login.failed': 'Could not log in: try again later, or call the IT centre.',
    'nav.zoomIn': 'Zoom in',
    'nav.zoomOut': 'Zoom out',
    'nav.resetBearing': 'Reset bearing to north',
    'attribution.toggle': 'Toggle attribution',
    'map.aria': 'Risk map',
    'login.button': 'Log in',
    'login.cancel': 'Cancel',
    'dispatch.button': 'Dispatch',
    'dispatch.heading': 'Dispatch panel',
    'dispatch.who': 'Dispatcher: {user}',
    'dispatch.open': 'Open incidents',
    'dispatch.noIncidents': 'No open incident.',
    'dispatch.new': 'New incident',
    'dispatch.kind': 'Type',
    'dispatch.level': 'Level',
    'dispatch.title': 'Title',
    'dispatch.title.ph': 'e.g. Landslide at a village',
    'dispatch.description': 'Description',
    'dispatch.coords': 'Coordinates',
    'dispatch.coords.hint': 'Paste "longitude,latitude" or degrees-minutes-seconds (e.g. 28°27′N 119°55′E), or press "Pick on map" and click the map.',
    'dispatch.crs': 'Coordinate system',
    'dispatch.crs.wgs84': 'WGS84 / Tianditu / GPS',
    'dispatch.crs.gcj02': 'GCJ-02 (AMap/Tencent)',
    'dispatch.crs.bd09': 'BD-09 (Baidu)',
    'dispatch.place': 'Pick on map',
    'dispatch.placing': 'Click on the map…',
    'dispatch.create': 'Create incident',
    'dispatch.back': 'Incidents',
    'dispatch.status.open': 'Open',
    'dispatch.status.responding': 'Responding',
    'dispatch.status.closed': 'Closed',
    'dispatch.iso': 'Isochrones (5/10/15/30 min)',
    'dispatch.respond': 'Start response',
    'dispatch.close': 'Close incident',
    'dispatch.confirmClose': 'Close "{title}" and release all its resources?',
    'dispatch.assignedHeading': 'Assigned ({n})',
    'dispatch.noneAssigned': 'Nothing assigned yet.',
    'dispatch.release': 'Release',
    'dispatch.assign': 'Assign',
    'dispatch.isAssigned': 'Assigned',
    'dispatch.assigned': 'Assigned: {name}',
    'dispatch.rank': 'Rank',
    'dispatch.by.time': 'By time',
    'dispatch.by.distance': 'By distance',
    'dispatch.onlyAvailable': 'Available or standby only',
    'dispatch.noCandidates': 'Nothing nearby matches.',
    'dispatch.col.name': 'Name',
    'dispatch.col.distance': 'Distance',
    'dispatch.col.time': 'Travel',
    'dispatch.col.status': 'Status',
    'dispatch.col.headcount': 'People',
    'dispatch.col.capacity': 'Capacity',
    'dispatch.min': '{n} min',
    'dispatch.route': 'Route: {km}, about {min}',
    'dispatch.eta': '; arrives in {min} with mobilisation',
    'dispatch.straight': 'Straight line {km}.',
    'dispatch.noNetwork': 'No road network loaded: ranked by straight-line distance; no routes or travel times.',
    'dispatch.unreachable': 'No road reaches it.',
    'dispatch.unreachableShort': 'unreachable',
    'dispatch.loading': 'Loading…',
    'dispatch.around': 'Around the incident',
    'dispatch.within': 'Within {km} km',
    'dispatch.polygon': 'Inside the area',
    'dispatch.hazards': 'Hidden hazards',
    'dispatch.hazardCount': '{total} ({major} major)',
    'dispatch.shelterCount': '{n}, room for {cap}',
    'dispatch.population': 'Population (est.)',
    'dispatch.people': 'about {n}',
    'dispatch.unknown': 'unknown',
    'dispatch.err.busy': 'This resource is already dispatched to another incident.',
    'dispatch.err.conflict': 'That conflicts with the current state: reload and try again.',
    'dispatch.err.login': 'Your session has ended: log in again.',
    'dispatch.err.forbidden': 'You may not dispatch.',
    'dispatch.err.notFound': 'Not found (deleted or closed?).',
    'dispatch.err.bad': 'Invalid input.',
    'dispatch.err.failed': 'That failed: try again later.',
    'dispatch.err.coords': 'Enter coordinates, or pick a point on the map.',
    'dispatch.err.title': 'Enter a title.',
    'dispatch.err.invalid': 'Invalid input: {detail}',
    'report.button': 'Export',
    'report.heading': 'Export a report map',
    'report.extent': 'Extent',
    'report.extent.view': 'Current view',
    'report.extent.county': 'County',
    'report.county': 'Choose a county',
    'report.county.choose': 'Choose a county…',
    'report.county.loading': 'Loading the counties…',
    'report.paper': 'Paper',
    'report.orientation': 'Orientation',
    'report.landscape': 'Landscape',
    'report.portrait': 'Portrait',
    'report.title': 'Title',
    'report.format': 'Format',
    'report.hint': 'Drawn in the browser at 150 dpi: title, legend, scale bar, north arrow, date, data source and the four-colour table.',
    'report.export': 'Export',
    'report.close': 'Close',
    'report.busy': 'Drawing the report map…',
    'report.done': 'Exported: {file}',
    'report.err.failed': 'The export failed: try again later.',
    'report.err.counties': 'The list of counties could not be loaded.',
    'report.err.noCounty': 'Choose a county.',
    'report.titleSuffix': ' — four-colour risk map',
    'report.subject': 'Four-colour safety risk map',
    'report.extentLabel': 'Extent: ',
    'report.dateLabel': 'Date: ',
    'report.sourceLabel': 'Data: ',
    'report.maker': 'Made with riskmap',
    'report.north': 'N',
    'report.legend': 'Legend',
    'report.table': 'Four-colour table',
    'report.col.category': 'Category',
    'report.g.red': 'Major',
    'report.g.orange': 'Signif.',
    'report.g.yellow': 'General',
    'report.g.blue': 'Low',
    'report.g.unassessed': 'N/A',
    'report.g.total': 'Total',
    'report.total': 'Total',
    'report.note.county': 'Counted: every active object in the county.',
    'report.note.view': 'Counted: every active object inside the map frame.',
    'kind.landslide': 'Landslide / debris flow',
    'kind.hazmat_leak': 'Hazmat leak',
    'kind.fire': 'Fire',
    'kind.forest_fire': 'Forest fire',
    'kind.flood': 'Flood',
    'kind.traffic': 'Traffic accident',
    'kind.mine': 'Mine accident',
    'kind.building_collapse': 'Building collapse',
    'kind.other': 'Other',
    'level.I': 'Level I (extraordinary)',
    'level.II': 'Level II (major)',
    'level.III': 'Level III (large)',
    'level.IV': 'Level IV (general)',
    'rtype.fire': 'Fire and rescue',
    'rtype.forest_fire': 'Forest fire',
    'rtype.hazmat': 'Hazmat',
    'rtype.mine': 'Mine rescue',
    'rtype.water': 'Water rescue',
    'rtype.geological': 'Geological',
    'rtype.medical': 'Medical',
    'rtype.materials': 'Supplies',
    'rtype.social': 'Volunteer',
    'rtype.grassroots': 'Local teams',
    'rtype.power': 'Power',
    'rtype.comms': 'Comms',
    'rtype.road': 'Road clearing',
    'rtype.militia': 'Militia',
  },
};

/** Grade codes, lowest to highest; labels in both languages. */
export const GRADES = ['red', 'orange', 'yellow', 'blue', 'unassessed'];
const GRADE_LABELS = {
  red: { zh: '重大风险', en: 'Major' },
  orange: { zh: '较大风险', en: 'Significant' },
  yellow: { zh: '一般风险', en: 'General' },
  blue: { zh: '低风险', en: 'Low' },
  unassessed: { zh: '未评估', en: 'Not assessed' },
};

/** Layer names (tile source-layers / OGC collections) with display names. */
const LAYER_LABELS = {
  enterprises: { zh: '企业', en: 'Enterprises' },
  bridges: { zh: '桥梁', en: 'Bridges' },
  black_spots: { zh: '事故多发点段', en: 'Accident black spots' },
  rescue_resources: { zh: '救援力量', en: 'Rescue resources' },
  shelters: { zh: '避灾安置场所', en: 'Shelters' },
  counties: { zh: '行政区划', en: 'Counties' },
  hidden_hazards: { zh: '事故隐患', en: 'Hidden hazards' },
  incidents: { zh: '突发事件', en: 'Incidents' },
  regions_county: { zh: '区县四色图', en: 'County four-colour map' },
  regions_grid: { zh: '网格四色图', en: 'Grid four-colour map' },
};

/** Labels for attribute keys of the OGC item `attributes` object. Unknown keys are shown as-is. */
const ATTRIBUTE_LABELS = {
  // enterprises
  industry: { zh: '行业', en: 'Industry' },
  industry_code: { zh: '行业代码', en: 'Industry code' },
  supervision_sector: { zh: '监管行业', en: 'Supervision sector' },
  scale: { zh: '企业规模', en: 'Scale' },
  employees: { zh: '从业人数', en: 'Employees' },
  legal_representative: { zh: '法定代表人', en: 'Legal representative' },
  main_responsible_person: { zh: '主要负责人', en: 'Main responsible person' },
  park: { zh: '所在园区', en: 'Industrial park' },
  uscc: { zh: '统一社会信用代码', en: 'Unified social credit code' },
  standardization_level: { zh: '安全生产标准化等级', en: 'Safety standardisation level' },
  standardization_expiry: { zh: '标准化有效期', en: 'Standardisation expiry' },
  has_risk_register: { zh: '建立风险清单', en: 'Has risk register' },
  major_hazard_source: { zh: '重大危险源', en: 'Major hazard installation' },
  mhs_level: { zh: '重大危险源等级', en: 'Major hazard level' },
  hazardous_chemicals: { zh: '涉及危险化学品', en: 'Hazardous chemicals' },
  dust_explosion: { zh: '涉爆粉尘', en: 'Combustible dust' },
  ammonia_refrigeration: { zh: '涉氨制冷', en: 'Ammonia refrigeration' },
  confined_space: { zh: '有限空间作业', en: 'Confined-space work' },
  molten_metal: { zh: '高温熔融金属', en: 'Molten metal' },
  open_hazards: { zh: '未整改隐患数', en: 'Open hidden hazards' },
  accidents_3y: { zh: '近三年事故数', en: 'Accidents (3 years)' },
  lec_l: { zh: 'LEC 可能性 L', en: 'LEC likelihood L' },
  lec_e: { zh: 'LEC 暴露频率 E', en: 'LEC exposure E' },
  lec_c: { zh: 'LEC 后果 C', en: 'LEC consequence C' },
  // bridges
  bridge_code: { zh: '桥梁编码', en: 'Bridge code' },
  route_code: { zh: '路线编号', en: 'Route code' },
  route_level: { zh: '路线行政等级', en: 'Route level' },
  stake_km: { zh: '中心桩号(km)', en: 'Chainage (km)' },
  structure: { zh: '结构类型', en: 'Structure' },
  structure_type: { zh: '结构类型', en: 'Structure type' },
  crossing: { zh: '跨越对象', en: 'Crossing' },
  on_ou_river: { zh: '跨瓯江', en: 'Crosses the Ou River' },
  total_length_m: { zh: '桥长(m)', en: 'Total length (m)' },
  max_span_m: { zh: '最大跨径(m)', en: 'Max span (m)' },
  deck_width_m: { zh: '桥面宽度(m)', en: 'Deck width (m)' },
  size_class: { zh: '按跨径分类', en: 'Size class' },
  design_load: { zh: '设计荷载', en: 'Design load' },
  tech_class: { zh: '技术状况等级', en: 'Technical condition class' },
  dr_score: { zh: '技术状况评分(Dr)', en: 'Condition score (Dr)' },
  aadt: { zh: '年平均日交通量', en: 'AADT' },
  maintenance_unit: { zh: '管养单位', en: 'Maintenance unit' },
  load_limit_t: { zh: '限载(t)', en: 'Load limit (t)' },
  speed_limit_kmh: { zh: '限速(km/h)', en: 'Speed limit (km/h)' },
  height_limit_m: { zh: '限高(m)', en: 'Height limit (m)' },
  closed: { zh: '封闭交通', en: 'Closed to traffic' },
  main_defects: { zh: '主要病害', en: 'Main defects' },
  // black spots
  road: { zh: '道路', en: 'Road' },
  road_name: { zh: '道路名称', en: 'Road name' },
  road_grade: { zh: '道路技术等级', en: 'Road grade' },
  class: { zh: '类别', en: 'Class' },
  blackspot_class: { zh: '多发点段类别', en: 'Black-spot class' },
  segment_type: { zh: '点/段', en: 'Point or segment' },
  spot_type: { zh: '点/段', en: 'Point or segment' },
  main_cause: { zh: '主要成因', en: 'Main cause' },
  n_accidents_3y: { zh: '近三年事故起数', en: 'Accidents (3 years)' },
  n_fatal_3y: { zh: '近三年死亡事故起数', en: 'Fatal accidents (3 years)' },
  n_deaths_3y: { zh: '近三年死亡人数', en: 'Deaths (3 years)' },
  n_injury_3y: { zh: '近三年伤人事故起数', en: 'Injury accidents (3 years)' },
  length_m: { zh: '长度(m)', en: 'Length (m)' },
  accidents: { zh: '事故起数', en: 'Accidents' },
  accidents_36m: { zh: '近三年事故起数', en: 'Accidents (36 months)' },
  fatal_accidents: { zh: '死亡事故起数', en: 'Fatal accidents' },
  deaths: { zh: '死亡人数', en: 'Deaths' },
  injuries: { zh: '受伤人数', en: 'Injuries' },
  treatment_status: { zh: '治理状态', en: 'Treatment status' },
  treatment_measures: { zh: '治理措施', en: 'Treatment measures' },
  responsible_department: { zh: '责任部门', en: 'Responsible department' },
  // rescue resources
  team_type: { zh: '队伍类型', en: 'Team type' },
  kind: { zh: '资源类型', en: 'Kind' },
  resource_kind: { zh: '资源类型', en: 'Resource kind' },
  headcount: { zh: '人数', en: 'Headcount' },
  personnel_total: { zh: '总人数', en: 'Personnel' },
  personnel_on_duty: { zh: '在岗人数', en: 'On duty' },
  vehicles: { zh: '车辆数', en: 'Vehicles' },
  equipment: { zh: '主要装备', en: 'Main equipment' },
  capabilities: { zh: '救援能力', en: 'Capabilities' },
  type_rank: { zh: '能力等级', en: 'Capability rank' },
  prep_time_min: { zh: '出动准备时间(分钟)', en: 'Mobilisation time (min)' },
  service_area: { zh: '服务范围', en: 'Service area' },
  mutual_aid: { zh: '跨区增援', en: 'Cross-county mutual aid' },
  // shelters
  tier: { zh: '场所级别', en: 'Tier' },
  gb21734_class: { zh: '避难场所类别(GB 21734)', en: 'GB 21734 class' },
  shelter_form: { zh: '场所形式', en: 'Form' },
  host_facility: { zh: '依托设施', en: 'Host facility' },
  capacity_persons: { zh: '容纳人数', en: 'Capacity (persons)' },
  building_area_m2: { zh: '建筑面积(m²)', en: 'Building area (m²)' },
  effective_area_m2: { zh: '有效避难面积(m²)', en: 'Effective area (m²)' },
  occupancy: { zh: '当前安置人数', en: 'Current occupancy' },
  facilities: { zh: '配套设施', en: 'Facilities' },
  form: { zh: '场所形式', en: 'Form' },
  // common
  address: { zh: '地址', en: 'Address' },
  phone: { zh: '电话', en: 'Phone' },
  contact: { zh: '联系人', en: 'Contact' },
  contact_phone: { zh: '联系电话', en: 'Contact phone' },
  duty_phone: { zh: '值班电话', en: 'Duty phone' },
  manager: { zh: '负责人', en: 'Manager' },
  manager_phone: { zh: '负责人电话', en: 'Manager phone' },
  organisation: { zh: '所属单位', en: 'Organisation' },
  organization: { zh: '所属单位', en: 'Organisation' },
  status: { zh: '状态', en: 'Status' },
  township: { zh: '乡镇（街道）', en: 'Township' },
  township_code: { zh: '乡镇代码', en: 'Township code' },
  county_code: { zh: '区县代码', en: 'County code' },
  remark: { zh: '备注', en: 'Remark' },
  remarks: { zh: '备注', en: 'Remarks' },
  note: { zh: '备注', en: 'Note' },
  description: { zh: '说明', en: 'Description' },
  year_built: { zh: '建成年份', en: 'Year built' },
  last_inspection_date: { zh: '最近检查日期', en: 'Last inspection' },
};

/** Display labels for known enumerated attribute values. Unknown values are shown as-is. */
const VALUE_LABELS = {
  tier: {
    county_center: { zh: '县级避灾中心', en: 'County centre' },
    township_center: { zh: '乡级避灾中心', en: 'Township centre' },
    village_point: { zh: '村级避灾点', en: 'Village point' },
  },
  status: {
    available: { zh: '可用', en: 'Available' },
    standby: { zh: '待命', en: 'Standby' },
    assigned: { zh: '已调派', en: 'Assigned' },
    dispatched: { zh: '已出动', en: 'Dispatched' },
    en_route: { zh: '途中', en: 'En route' },
    on_scene: { zh: '在现场', en: 'On scene' },
    returning: { zh: '返回中', en: 'Returning' },
    out_of_service: { zh: '暂停服务', en: 'Out of service' },
    ready: { zh: '就绪', en: 'Ready' },
    open: { zh: '已开放', en: 'Open' },
    full: { zh: '已满', en: 'Full' },
    closed: { zh: '关闭', en: 'Closed' },
    maintenance: { zh: '维护中', en: 'Maintenance' },
  },
  form: {
    indoor: { zh: '场所型（室内）', en: 'Indoor' },
    outdoor: { zh: '场地型（室外）', en: 'Outdoor' },
    mixed: { zh: '室内外结合', en: 'Mixed' },
  },
  resource_kind: {
    team: { zh: '救援队伍', en: 'Team' },
    vehicle: { zh: '车辆', en: 'Vehicle' },
    equipment: { zh: '装备', en: 'Equipment' },
    material_depot: { zh: '物资储备库', en: 'Material depot' },
    expert: { zh: '专家', en: 'Expert' },
    facility: { zh: '设施', en: 'Facility' },
  },
};

VALUE_LABELS.kind = VALUE_LABELS.resource_kind;
VALUE_LABELS.shelter_form = VALUE_LABELS.form;

/** Assessment methods by code prefix (method codes look like "lec_4c_A"). */
const METHOD_LABELS = [
  ['lec', { zh: 'LEC 作业条件危险性分析法', en: 'LEC (Graham–Kinney)' }],
  ['ls', { zh: '风险矩阵法（LS）', en: 'Risk matrix (L×S)' }],
  ['mes', { zh: 'MES 法', en: 'MES' }],
  ['hazchem', { zh: '危化品企业百分制评估', en: 'Hazardous-chemicals 100-point diagnostic' }],
  ['bridge_class', { zh: '桥梁技术状况等级', en: 'Bridge condition class' }],
  ['blackspot', { zh: '事故多发点段分类', en: 'Black-spot class' }],
  ['site_safety', { zh: '场所安全检查评估', en: 'Site safety check' }],
  ['manual', { zh: '人工认定', en: 'Set by hand' }],
  ['import', { zh: '导入', en: 'Imported' }],
];

let current = detectLang();

function detectLang() {
  try {
    const q = new URLSearchParams(location.search).get('lang');
    if (q && LANGS.includes(q)) return q;
  } catch { /* ignore */ }
  try {
    const s = localStorage.getItem(STORAGE_KEY);
    if (s && LANGS.includes(s)) return s;
  } catch { /* storage may be disabled */ }
  return 'zh';
}

/** @returns {'zh'|'en'} */
export function lang() { return current; }

/** Sets the language and remembers it. Listeners registered with onLangChange run afterwards. */
export function setLang(l) {
  if (!LANGS.includes(l) || l === current) return;
  current = l;
  try { localStorage.setItem(STORAGE_KEY, l); } catch { /* ignore */ }
  // Keep an explicit ?lang= in the address consistent with the choice.
  try {
    const u = new URL(location.href);
    if (u.searchParams.has('lang')) {
      u.searchParams.set('lang', l);
      history.replaceState(history.state, '', u.href);
    }
  } catch { /* ignore */ }
  for (const fn of listeners) fn(l);
}

const listeners = [];
export function onLangChange(fn) { listeners.push(fn); }

/** Looks a UI string up; falls back to Chinese, then to the key itself. */
export function t(key) {
  return STRINGS[current][key] ?? STRINGS.zh[key] ?? key;
}

/** Looks a UI string up in a given language. */
export function tIn(l, key) {
  return STRINGS[l]?.[key] ?? STRINGS.zh[key] ?? key;
}

function pick(entry, l = current) {
  return entry ? (entry[l] ?? entry.zh) : undefined;
}

export function gradeLabel(g, l = current) {
  return pick(GRADE_LABELS[g], l) ?? pick(GRADE_LABELS.unassessed, l);
}

export function layerLabel(name, l = current) {
  return pick(LAYER_LABELS[name], l) ?? name;
}

export function attributeLabel(key) {
  return pick(ATTRIBUTE_LABELS[key]) ?? key;
}

const ATTRIBUTE_ORDER = new Map(Object.keys(ATTRIBUTE_LABELS).map((k, i) => [k, i]));

/** Sorts attribute keys: known keys in the dictionary's order (category-specific first, contacts last), then unknown keys A–Z. */
export function sortAttributeKeys(keys) {
  return [...keys].sort((a, b) => {
    const ia = ATTRIBUTE_ORDER.get(a) ?? Infinity;
    const ib = ATTRIBUTE_ORDER.get(b) ?? Infinity;
    if (ia !== ib) return ia - ib;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function valueLabel(key, value) {
  if (typeof value !== 'string') return undefined;
  return pick(VALUE_LABELS[key]?.[value]);
}

export function methodLabel(code) {
  if (!code) return undefined;
  const c = String(code).toLowerCase();
  for (const [prefix, entry] of METHOD_LABELS) {
    if (c === prefix || c.startsWith(prefix + '_')) return pick(entry);
  }
  return undefined;
}

/** The other language, for the toggle button. */
export function otherLang() { return current === 'zh' ? 'en' : 'zh'; }

/** BCP 47 tag for <html lang> and number/date formatting. */
export function htmlLang() { return current === 'zh' ? 'zh-CN' : 'en'; }

/** MapLibre UI string table (control tooltips) for the current language. */
export function maplibreLocale() {
  return {
    'NavigationControl.ZoomIn': t('nav.zoomIn'),
    'NavigationControl.ZoomOut': t('nav.zoomOut'),
    'NavigationControl.ResetBearing': t('nav.resetBearing'),
    'AttributionControl.ToggleAttribution': t('attribution.toggle'),
    'Map.Title': t('map.aria'),
  };
}

/** Fills every element carrying data-i18n (text), data-i18n-title or data-i18n-aria-label. */
export function applyToDocument(root = document) {
  document.documentElement.lang = htmlLang();
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll('[data-i18n-title]')) el.title = t(el.dataset.i18nTitle);
  for (const el of root.querySelectorAll('[data-i18n-aria-label]')) el.setAttribute('aria-label', t(el.dataset.i18nAriaLabel));
}
