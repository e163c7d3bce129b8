"""The static demo world: two Shanghai centers, their staff, applicants and subjects.

Names, addresses and phone numbers are made up to look real; e-mail addresses use the
reserved ``example.com`` domain.
"""

from __future__ import annotations

from dataclasses import dataclass

from cases.models import CaseState, PatentType, Role

S = CaseState
INVENTION, UTILITY_MODEL, DESIGN = PatentType.INVENTION, PatentType.UTILITY_MODEL, PatentType.DESIGN


@dataclass(frozen=True)
class Subject:
    """A main classification with titles of applications filed under it, per patent type."""

    classification: str
    inventions: tuple[str, ...] = ()
    utility_models: tuple[str, ...] = ()
    designs: tuple[str, ...] = ()

    def titles(self, patent_type: str) -> tuple[str, ...]:
        return {
            INVENTION: self.inventions,
            UTILITY_MODEL: self.utility_models,
            DESIGN: self.designs,
        }[PatentType(patent_type)]


@dataclass(frozen=True)
class StaffMember:
    suffix: str  # the username is "<center code in lower case>_<suffix>"
    role: Role
    last_name: str
    first_name: str


@dataclass(frozen=True)
class CenterData:
    code: str
    name: str
    english_name: str
    region: str
    address: str
    phone: str
    email: str
    website: str
    ipc_prefixes: str
    locarno_classes: str
    benchmark_days_invention: int
    weight: int  # share of the demo cases
    type_weights: dict[str, int]
    district_codes: tuple[str, ...]  # region part of the entities' credit codes
    trades: tuple[str, ...]  # the line of business in the entities' names
    subjects: tuple[Subject, ...]
    out_of_field: dict[str, tuple[str, ...]]  # classifications the center does not cover
    staff: tuple[StaffMember, ...]

    def center_fields(self) -> dict[str, object]:
        return {
            "name": self.name,
            "region": self.region,
            "address": self.address,
            "phone": self.phone,
            "email": self.email,
            "website": self.website,
            "ipc_prefixes": self.ipc_prefixes,
            "locarno_classes": self.locarno_classes,
            "benchmark_days_invention": self.benchmark_days_invention,
        }


SHANGHAI = CenterData(
    code="SH",
    name="中国(上海)知识产权保护中心",
    english_name="China (Shanghai) IP Protection Center",
    region="上海市",
    address="上海市徐汇区漕宝路 1015 号 8 楼",
    phone="021-6432 8150",
    email="yushen@sh-ippc.example.com",
    website="https://sh-ippc.example.com/",
    # New materials; energy saving and environmental protection.
    ipc_prefixes="C08, C04B, C22C, C01B, B82Y, B01D, F23G, C02F, H01M, F24S",
    locarno_classes="06, 09, 12, 14, 26",
    # Published cycle for inventions is about three months; 29 days for the others.
    benchmark_days_invention=90,
    weight=55,
    type_weights={INVENTION: 45, UTILITY_MODEL: 35, DESIGN: 20},
    district_codes=(
        "310104",  # Xuhui
        "310105",  # Changning
        "310106",  # Jing'an
        "310107",  # Putuo
        "310110",  # Yangpu
        "310112",  # Minhang
        "310113",  # Baoshan
        "310114",  # Jiading
        "310116",  # Jinshan
        "310117",  # Songjiang
        "310118",  # Qingpu
        "310120",  # Fengxian
    ),
    trades=(
        "新材料科技有限公司",
        "高分子材料股份有限公司",
        "特种陶瓷有限公司",
        "环保科技有限公司",
        "节能技术有限公司",
        "新能源科技有限公司",
        "水处理技术有限公司",
        "工业设计有限公司",
    ),
    subjects=(
        Subject(
            "C08L 77/06",
            inventions=(
                "一种高韧性聚酰胺复合材料及其制备方法",
                "一种耐水解聚酰胺66组合物及其应用",
            ),
        ),
        Subject(
            "C08K 3/04",
            inventions=(
                "一种石墨烯改性聚丙烯导热材料及其制备方法",
                "一种碳纳米管增强橡胶复合材料",
            ),
        ),
        Subject(
            "C08J 5/18",
            inventions=("一种可降解聚乳酸薄膜及其制备方法",),
            utility_models=("一种多层共挤阻隔薄膜",),
        ),
        Subject(
            "C04B 35/565",
            inventions=(
                "一种碳化硅陶瓷膜的低温烧结方法",
                "一种高导热氮化铝陶瓷基板的制备方法",
            ),
        ),
        Subject(
            "C04B 28/04",
            inventions=("一种低碳高性能混凝土及其制备方法",),
            utility_models=("一种预制混凝土保温墙板",),
        ),
        Subject(
            "C22C 38/02",
            inventions=("一种高强度耐候钢及其热处理工艺",),
        ),
        Subject(
            "C22C 21/02",
            inventions=("一种汽车用高强韧铸造铝合金及其制备方法",),
        ),
        Subject(
            "C01B 32/184",
            inventions=("一种少层石墨烯的宏量制备方法", "一种多孔碳材料的制备方法及其应用"),
        ),
        Subject(
            "B82Y 30/00",
            inventions=("一种纳米二氧化钛光催化涂层及其制备方法",),
        ),
        Subject(
            "B01D 53/86",
            inventions=("一种低温脱硝催化剂及其制备方法",),
            utility_models=("一种工业废气催化燃烧净化装置", "一种挥发性有机物吸附浓缩装置"),
        ),
        Subject(
            "F23G 5/027",
            inventions=("一种生活垃圾热解气化处理方法",),
            utility_models=("一种危险废物回转窑焚烧系统", "一种污泥干化焚烧一体化装置"),
        ),
        Subject(
            "C02F 1/44",
            inventions=("一种高盐废水膜浓缩零排放处理工艺",),
            utility_models=("一种一体化污水处理设备", "一种反渗透膜清洗装置"),
        ),
        Subject(
            "H01M 10/0525",
            inventions=("一种高镍三元正极材料的包覆改性方法", "一种固态锂电池电解质及其制备方法"),
            utility_models=("一种锂电池模组散热结构", "一种电池包防爆阀"),
        ),
        Subject(
            "H01M 8/0258",
            inventions=("一种燃料电池双极板流场结构",),
            utility_models=("一种氢燃料电池电堆端板",),
        ),
        Subject(
            "F24S 10/70",
            inventions=("一种太阳能集热器选择性吸收涂层",),
            utility_models=("一种平板太阳能集热器", "一种光伏光热一体化组件"),
        ),
        Subject("06-01", designs=("办公椅", "折叠椅")),
        Subject("09-01", designs=("饮料瓶", "化妆品瓶")),
        Subject("12-08", designs=("电动汽车", "电动汽车前脸")),
        Subject("14-02", designs=("笔记本电脑", "平板电脑")),
        Subject("14-03", designs=("智能音箱",)),
        Subject("26-05", designs=("台灯", "落地灯")),
    ),
    out_of_field={
        INVENTION: ("G06F 16/35", "H04L 9/40", "A61K 36/18", "B25J 9/16"),
        UTILITY_MODEL: ("B25J 9/16", "A61B 17/34"),
        DESIGN: ("10-07", "02-02"),
    },
    staff=(
        StaffMember("clerk", Role.INTAKE_CLERK, "王", "敏"),
        StaffMember("examiner1", Role.EXAMINER, "陈", "立新"),
        StaffMember("examiner2", Role.EXAMINER, "李", "思远"),
        StaffMember("manager", Role.MANAGER, "周", "海燕"),
        StaffMember("admin", Role.CENTER_ADMIN, "徐", "建国"),
    ),
)

PUDONG = CenterData(
    code="PD",
    name="中国(浦东)知识产权保护中心",
    english_name="China (Pudong) IP Protection Center",
    region="上海市浦东新区",
    address="上海市浦东新区张衡路 1000 弄 12 号",
    phone="021-5080 6612",
    email="service@pd-ippc.example.com",
    website="https://pd-ippc.example.com/",
    # High-end equipment manufacturing; biomedicine. No designs.
    ipc_prefixes="B23K, B25J, B64C, F16H, G05B, A61K, A61P, C07K, C12N, A61B",
    locarno_classes="",
    benchmark_days_invention=90,
    weight=45,
    type_weights={INVENTION: 55, UTILITY_MODEL: 45},
    district_codes=("310115",),  # Pudong New Area
    trades=(
        "智能装备有限公司",
        "机器人科技有限公司",
        "航空科技有限公司",
        "精密机械有限公司",
        "数控技术有限公司",
        "生物医药科技有限公司",
        "医疗器械有限公司",
        "生物技术股份有限公司",
    ),
    subjects=(
        Subject(
            "B23K 26/38",
            inventions=("一种厚板激光切割方法",),
            utility_models=("一种激光焊接用定位夹具", "一种焊缝跟踪装置"),
        ),
        Subject(
            "B25J 9/16",
            inventions=(
                "一种基于视觉的机械臂抓取路径规划方法",
                "一种协作机器人碰撞检测方法",
            ),
            utility_models=("一种六轴机器人的关节模组", "一种机器人末端快换装置"),
        ),
        Subject(
            "B64C 27/08",
            inventions=("一种多旋翼无人机的姿态控制方法",),
            utility_models=("一种无人机可折叠机臂", "一种无人机起落架缓冲结构"),
        ),
        Subject(
            "F16H 1/32",
            inventions=("一种谐波减速器柔轮的设计方法",),
            utility_models=("一种RV减速器", "一种行星齿轮减速机"),
        ),
        Subject(
            "G05B 19/418",
            inventions=(
                "一种数控机床加工过程的自适应控制方法",
                "一种智能产线的数字孪生调度方法",
            ),
            utility_models=("一种数控系统的远程监测装置",),
        ),
        Subject(
            "A61K 39/395",
            inventions=("一种抗PD-1单克隆抗体注射液及其制备方法",),
        ),
        Subject(
            "A61P 35/00",
            inventions=("一种用于治疗非小细胞肺癌的药物组合物",),
        ),
        Subject(
            "C07K 16/28",
            inventions=("一种抗CD19人源化抗体及其应用", "一种双特异性抗体及其制备方法"),
        ),
        Subject(
            "C12N 15/113",
            inventions=(
                "一种靶向PCSK9的小干扰RNA及其应用",
                "一种mRNA疫苗的脂质纳米颗粒递送系统",
            ),
        ),
        Subject(
            "A61B 17/34",
            inventions=("一种微创手术穿刺器",),
            utility_models=("一种腹腔镜手术用穿刺套管", "一种可调节角度的手术牵开器"),
        ),
        Subject(
            "A61B 5/0245",
            inventions=("一种基于深度学习的心电信号分析方法",),
            utility_models=("一种可穿戴心电监测贴片",),
        ),
    ),
    out_of_field={
        INVENTION: ("C08K 3/04", "G06Q 10/06", "H04W 72/04"),
        UTILITY_MODEL: ("E04B 1/38", "F24S 10/70"),
        DESIGN: ("14-02", "26-05"),  # the center takes no designs at all
    },
    staff=(
        StaffMember("clerk", Role.INTAKE_CLERK, "张", "倩"),
        StaffMember("examiner1", Role.EXAMINER, "刘", "振宇"),
        StaffMember("examiner2", Role.EXAMINER, "孙", "雅琴"),
        StaffMember("manager", Role.MANAGER, "郑", "志强"),
        StaffMember("admin", Role.CENTER_ADMIN, "马", "丽"),
    ),
)

CENTERS = (SHANGHAI, PUDONG)
CENTERS_BY_CODE = {center.code: center for center in CENTERS}
SUPERUSER = "admin"

# Trade names (字号) with their pinyin, for entity names and e-mail addresses.
TRADE_NAMES = (
    ("华材", "huacai"),
    ("晶研", "jingyan"),
    ("锦泰", "jintai"),
    ("恒远", "hengyuan"),
    ("瑞申", "ruishen"),
    ("凯泽", "kaize"),
    ("东振", "dongzhen"),
    ("博越", "boyue"),
    ("星能", "xingneng"),
    ("蓝湾", "lanwan"),
    ("中熠", "zhongyi"),
    ("申科", "shenke"),
    ("沪康", "hukang"),
    ("浦江", "pujiang"),
    ("科迈", "kemai"),
    ("天岳", "tianyue"),
    ("新拓", "xintuo"),
    ("澄源", "chengyuan"),
    ("合晟", "hesheng"),
    ("微纳", "weina"),
    ("启元", "qiyuan"),
    ("安捷", "anjie"),
    ("正衡", "zhengheng"),
    ("弘毅", "hongyi"),
    ("云帆", "yunfan"),
    ("德川", "dechuan"),
    ("润禾", "runhe"),
    ("联拓", "liantuo"),
    ("睿信", "ruixin"),
    ("华屹", "huayi"),
)
CONTACTS_ZH = (
    ("张伟", "zhang.wei"),
    ("王芳", "wang.fang"),
    ("李娜", "li.na"),
    ("刘洋", "liu.yang"),
    ("陈静", "chen.jing"),
    ("杨磊", "yang.lei"),
    ("赵敏", "zhao.min"),
    ("黄强", "huang.qiang"),
    ("周婷", "zhou.ting"),
    ("吴军", "wu.jun"),
    ("徐丽", "xu.li"),
    ("孙浩", "sun.hao"),
    ("胡杰", "hu.jie"),
    ("朱琳", "zhu.lin"),
    ("高翔", "gao.xiang"),
    ("林晓", "lin.xiao"),
)
CONTACTS_EN = (
    ("Michael Chen", "michael.chen"),
    ("Sarah Wang", "sarah.wang"),
    ("David Müller", "david.mueller"),
    ("Emily Zhang", "emily.zhang"),
    ("James Lee", "james.lee"),
)
RETURN_NOTES = (
    "请补充营业执照副本扫描件。",
    "请补充知识产权管理人员名单及联系方式。",
    "备案申请表未加盖公章，请重新提交。",
)

# What staff write on the transitions (public notes reach the applicant).
DECLINE_FIELD = "主分类号不属于本中心预审服务的技术领域，不予受理。"
DECLINE_ENTITY = "申请人尚未完成在本中心的备案，不予受理。"
CORRECTION_REQUESTS = (
    "说明书附图不清晰，请重新提交附图。",
    "权利要求书中的技术特征缺少说明书支持，请补正。",
    "请补充实施例的实验数据。",
    "摘要超过字数限制，请修改。",
    "外观设计的视图不完整，请补充立体图。",
)
DISQUALIFY_REASONS = (
    "经检索，本申请不具备新颖性，预审不合格。",
    "申请文件存在明显实质性缺陷，预审不合格。",
)
WITHDRAW_NOTES = ("申请人书面请求撤回预审申请。", "申请人决定调整技术方案，撤回申请。")
EXIT_NOTES = (
    "申请人请求延长答复期限，退出快速预审通道。",
    "申请人主动修改申请文件，退出快速预审通道。",
)
LATE_RESPONSE_NOTE = "审查意见逾期未答复，退出快速预审通道。"
LAPSE_NOTES = {
    "correction": "补正期限届满未提交补正文件。",
    "filing": "预审合格后 10 日内未向国家知识产权局提交申请。",
    "registration": "授权通知书发出后 2 个月内未办理登记手续。",
}
