"""Kazakhstan's ministries and two presidential agencies, with the Public Council of each.

The mandates also seed the routing classifier, so they name concrete policy areas.
Names follow the structure of government in 2025. The digital ministry keeps the name that the
OECD Public Governance Scan uses; its reorganisation into a ministry of artificial intelligence
and digital development was announced in 2025, so check its official name before relying on it.
"""

from __future__ import annotations

from dataclasses import dataclass

_REPUBLIC_EN = " of the Republic of Kazakhstan"
# Russian names start with the body's kind in the nominative; after "при" it takes the
# prepositional case, and the rest of the name is already in the genitive.
_PREPOSITIONAL_RU = {"Министерство": "Министерстве", "Агентство": "Агентстве"}

COUNCIL_ROLE_EN = (
    "The Public Council of the {body} is a consultative, advisory and monitoring body set up "
    'under the Law of the Republic of Kazakhstan "On Public Councils" of 2 November 2015. '
    "At least two thirds of its members come from civil society (non-profit organisations and "
    "citizens) and the rest represent the {body}. The council discusses draft regulations that "
    "affect citizens' rights, draft budget programmes, strategic plans and the body's reports "
    "on budget execution and targets, and it exercises public monitoring through public "
    "hearings and public expert review. Its recommendations are advisory: the {body} must "
    "consider them and give a reasoned answer."
)


@dataclass(frozen=True)
class GovernmentBody:
    """A central government body as the demo loader stores it, with its Public Council."""

    code: str
    name_kk: str
    name_ru: str
    name_en: str
    mandate: str

    @property
    def short_name_en(self) -> str:
        return self.name_en.removesuffix(_REPUBLIC_EN)

    @property
    def council_name_kk(self) -> str:
        return f"{self.name_kk} жанындағы Қоғамдық кеңес"

    @property
    def council_name_ru(self) -> str:
        kind, rest = self.name_ru.split(" ", 1)
        return f"Общественный совет при {_PREPOSITIONAL_RU[kind]} {rest}"

    @property
    def council_name_en(self) -> str:
        return f"Public Council of the {self.short_name_en}"

    @property
    def council_description(self) -> str:
        return COUNCIL_ROLE_EN.format(body=self.short_name_en)


GOVERNMENT_BODIES: tuple[GovernmentBody, ...] = (
    GovernmentBody(
        code="MA",
        name_kk="Қазақстан Республикасы Ауыл шаруашылығы министрлігі",
        name_ru="Министерство сельского хозяйства Республики Казахстан",
        name_en="Ministry of Agriculture of the Republic of Kazakhstan",
        mandate=(
            "Sets policy for the agro-industrial complex: crop farming, livestock breeding, grain "
            "and food markets and the food security of the country. It administers subsidies, "
            "credit and insurance support for farmers and agricultural cooperatives. It oversees "
            "veterinary and phytosanitary safety, animal disease control and the management of "
            "agricultural land resources."
        ),
    ),
    GovernmentBody(
        code="MCI",
        name_kk="Қазақстан Республикасы Мәдениет және ақпарат министрлігі",
        name_ru="Министерство культуры и информации Республики Казахстан",
        name_en="Ministry of Culture and Information of the Republic of Kazakhstan",
        mandate=(
            "Responsible for culture and the arts, theatres, museums, libraries, archives and the "
            "protection of historical and cultural heritage. It shapes information policy and "
            "regulates mass media, broadcasting and the press. It works with civil society and "
            "non-governmental organisations through the state social order and grants, and "
            "it conducts youth and family policy and policy on religious affairs."
        ),
    ),
    GovernmentBody(
        code="MD",
        name_kk="Қазақстан Республикасы Қорғаныс министрлігі",
        name_ru="Министерство обороны Республики Казахстан",
        name_en="Ministry of Defence of the Republic of Kazakhstan",
        mandate=(
            "Implements military policy and manages the Armed Forces in peacetime. It organises "
            "conscription, contract military service, military education and the mobilisation "
            "readiness of the country. It is responsible for the social protection of service "
            "members and their families, military housing and the acquisition of weapons and "
            "equipment for defence."
        ),
    ),
    GovernmentBody(
        code="MDDIAI",
        name_kk=(
            "Қазақстан Республикасы Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі "
            "министрлігі"
        ),
        name_ru=(
            "Министерство цифрового развития, инноваций и аэрокосмической промышленности "
            "Республики Казахстан"
        ),
        name_en=(
            "Ministry of Digital Development, Innovation and Aerospace Industry of the Republic "
            "of Kazakhstan"
        ),
        mandate=(
            "Leads digital transformation and e-government, including the eGov portal and the "
            "quality of electronic public services. It regulates telecommunications, mobile "
            "networks, broadband internet access and the postal sector. It is responsible for "
            "information security, cybersecurity and personal data protection, and for "
            "innovation policy, technology parks, start-up support and the space industry."
        ),
    ),
    GovernmentBody(
        code="MENR",
        name_kk="Қазақстан Республикасы Экология және табиғи ресурстар министрлігі",
        name_ru="Министерство экологии и природных ресурсов Республики Казахстан",
        name_en="Ministry of Ecology and Natural Resources of the Republic of Kazakhstan",
        mandate=(
            "Sets environmental protection policy: air quality, industrial emissions, "
            "environmental permits and inspections, and the management of municipal and "
            "industrial waste. It leads climate change policy, greenhouse gas accounting and "
            "emissions trading. It manages forests, wildlife, fisheries, biodiversity and "
            "specially protected natural areas, and runs the national hydrometeorological "
            "service."
        ),
    ),
    GovernmentBody(
        code="MEDU",
        name_kk="Қазақстан Республикасы Оқу-ағарту министрлігі",
        name_ru="Министерство просвещения Республики Казахстан",
        name_en="Ministry of Enlightenment of the Republic of Kazakhstan",
        mandate=(
            "Responsible for preschool education, kindergartens, general secondary schools and "
            "technical and vocational education. It sets curricula and standards, approves "
            "textbooks and governs teachers' status, pay and professional development. It "
            "oversees inclusive education, extracurricular activities for children and the "
            "protection of children's rights, including guardianship and adoption."
        ),
    ),
    GovernmentBody(
        code="MES",
        name_kk="Қазақстан Республикасы Төтенше жағдайлар министрлігі",
        name_ru="Министерство по чрезвычайным ситуациям Республики Казахстан",
        name_en="Ministry of Emergency Situations of the Republic of Kazakhstan",
        mandate=(
            "Responsible for civil protection, the prevention of and response to natural and "
            "man-made emergencies such as floods, mudflows, earthquakes and wildfires. It runs "
            "the fire service, rescue teams and emergency warning systems. It supervises fire "
            "and industrial safety and manages the state material reserve."
        ),
    ),
    GovernmentBody(
        code="ME",
        name_kk="Қазақстан Республикасы Энергетика министрлігі",
        name_ru="Министерство энергетики Республики Казахстан",
        name_en="Ministry of Energy of the Republic of Kazakhstan",
        mandate=(
            "Sets policy for oil, gas and petrochemicals, including hydrocarbon subsoil use, "
            "refining, fuel markets and the gasification of settlements. It is responsible for "
            "electricity and heat generation, power grids and the electricity market. It "
            "promotes renewable energy and energy efficiency and regulates the use of atomic "
            "energy and uranium."
        ),
    ),
    GovernmentBody(
        code="MF",
        name_kk="Қазақстан Республикасы Қаржы министрлігі",
        name_ru="Министерство финансов Республики Казахстан",
        name_en="Ministry of Finance of the Republic of Kazakhstan",
        mandate=(
            "Manages execution of the state budget, the treasury and government debt. Through "
            "the State Revenue Committee it administers taxes, customs duties and customs "
            "control. It regulates public procurement, accounting and financial reporting, "
            "internal state audit, state property and privatisation."
        ),
    ),
    GovernmentBody(
        code="MFA",
        name_kk="Қазақстан Республикасы Сыртқы істер министрлігі",
        name_ru="Министерство иностранных дел Республики Казахстан",
        name_en="Ministry of Foreign Affairs of the Republic of Kazakhstan",
        mandate=(
            "Conducts foreign policy and diplomacy, bilateral relations and work in international "
            "organisations. It runs embassies and consulates, consular services, visa policy and "
            "the protection of citizens abroad. It negotiates international treaties, attracts "
            "foreign investment and manages official development assistance."
        ),
    ),
    GovernmentBody(
        code="MH",
        name_kk="Қазақстан Республикасы Денсаулық сақтау министрлігі",
        name_ru="Министерство здравоохранения Республики Казахстан",
        name_en="Ministry of Health of the Republic of Kazakhstan",
        mandate=(
            "Sets health policy: hospitals, primary health care, the guaranteed volume of free "
            "medical care and compulsory social health insurance. It regulates medicines, "
            "pharmacies and medical devices. It is responsible for sanitary and epidemiological "
            "control, vaccination and disease prevention, and for the medical workforce."
        ),
    ),
    GovernmentBody(
        code="MIC",
        name_kk="Қазақстан Республикасы Өнеркәсіп және құрылыс министрлігі",
        name_ru="Министерство промышленности и строительства Республики Казахстан",
        name_en="Ministry of Industry and Construction of the Republic of Kazakhstan",
        mandate=(
            "Sets industrial policy for manufacturing, mining and metallurgy, geology and solid "
            "mineral resources, and the defence industry. It is responsible for architecture, "
            "urban planning and construction standards. It leads housing policy, including "
            "affordable and rental housing programmes, and housing and communal utilities such "
            "as water supply, sewerage and heating networks."
        ),
    ),
    GovernmentBody(
        code="MIA",
        name_kk="Қазақстан Республикасы Ішкі істер министрлігі",
        name_ru="Министерство внутренних дел Республики Казахстан",
        name_en="Ministry of Internal Affairs of the Republic of Kazakhstan",
        mandate=(
            "Directs the police: public order, crime prevention and investigation, and road "
            "traffic safety. It is responsible for migration control, the registration of "
            "foreigners and the penitentiary system. It also fights drug trafficking and "
            "commands the National Guard in its public order duties."
        ),
    ),
    GovernmentBody(
        code="MJ",
        name_kk="Қазақстан Республикасы Әділет министрлігі",
        name_ru="Министерство юстиции Республики Казахстан",
        name_en="Ministry of Justice of the Republic of Kazakhstan",
        mandate=(
            "Reviews the legal quality of draft laws and registers regulatory legal acts. It "
            "registers legal entities, rights to real estate and civil status acts, and protects "
            "intellectual property. It oversees the enforcement of court decisions, notaries, "
            "lawyers and state-guaranteed legal aid, and represents the state in legal disputes."
        ),
    ),
    GovernmentBody(
        code="MLSPP",
        name_kk="Қазақстан Республикасы Еңбек және халықты әлеуметтік қорғау министрлігі",
        name_ru="Министерство труда и социальной защиты населения Республики Казахстан",
        name_en=(
            "Ministry of Labour and Social Protection of the Population of the Republic of "
            "Kazakhstan"
        ),
        mandate=(
            "Sets employment policy and runs employment services, job creation and vocational "
            "training for jobseekers. It regulates labour relations, wages including the minimum "
            "wage, and occupational safety. It is responsible for pensions, social insurance, "
            "state benefits, targeted social assistance and support for persons with "
            "disabilities, and for demographic and labour migration policy."
        ),
    ),
    GovernmentBody(
        code="MNE",
        name_kk="Қазақстан Республикасы Ұлттық экономика министрлігі",
        name_ru="Министерство национальной экономики Республики Казахстан",
        name_en="Ministry of National Economy of the Republic of Kazakhstan",
        mandate=(
            "Leads economic policy: macroeconomic forecasting, budget and tax policy planning and "
            "public investment. It is responsible for regional development, local self-government "
            "and the development of cities and rural settlements. It regulates natural "
            "monopolies and their tariffs, and shapes policy on entrepreneurship, business "
            "regulation and public-private partnerships."
        ),
    ),
    GovernmentBody(
        code="MSHE",
        name_kk="Қазақстан Республикасы Ғылым және жоғары білім министрлігі",
        name_ru="Министерство науки и высшего образования Республики Казахстан",
        name_en="Ministry of Science and Higher Education of the Republic of Kazakhstan",
        mandate=(
            "Responsible for universities, higher and postgraduate education, state educational "
            "grants and student support. It funds and evaluates scientific research, research "
            "institutes and laboratories, and the commercialisation of research results. It "
            "promotes academic mobility, quality assurance and the autonomy of universities."
        ),
    ),
    GovernmentBody(
        code="MTS",
        name_kk="Қазақстан Республикасы Туризм және спорт министрлігі",
        name_ru="Министерство туризма и спорта Республики Казахстан",
        name_en="Ministry of Tourism and Sports of the Republic of Kazakhstan",
        mandate=(
            "Develops domestic and inbound tourism, tourist infrastructure and the promotion of "
            "Kazakhstan as a destination. It is responsible for physical culture, mass sport and "
            "sports facilities. It supports professional sport, national teams and preparation "
            "for the Olympic and Paralympic Games, including athletes' health and anti-doping."
        ),
    ),
    GovernmentBody(
        code="MTI",
        name_kk="Қазақстан Республикасы Сауда және интеграция министрлігі",
        name_ru="Министерство торговли и интеграции Республики Казахстан",
        name_en="Ministry of Trade and Integration of the Republic of Kazakhstan",
        mandate=(
            "Sets domestic and foreign trade policy, export promotion and e-commerce development. "
            "It leads integration within the Eurasian Economic Union and the country's "
            "obligations in the World Trade Organization. It protects consumer rights and is "
            "responsible for technical regulation, standards and metrology."
        ),
    ),
    GovernmentBody(
        code="MT",
        name_kk="Қазақстан Республикасы Көлік министрлігі",
        name_ru="Министерство транспорта Республики Казахстан",
        name_en="Ministry of Transport of the Republic of Kazakhstan",
        mandate=(
            "Sets policy for road, rail, air and water transport, including passenger transport, "
            "taxi services and road haulage. It builds and maintains the national highway "
            "network. It develops logistics and international transit corridors and oversees "
            "civil aviation, railways and transport safety."
        ),
    ),
    GovernmentBody(
        code="MWRI",
        name_kk="Қазақстан Республикасы Су ресурстары және ирригация министрлігі",
        name_ru="Министерство водных ресурсов и ирригации Республики Казахстан",
        name_en="Ministry of Water Resources and Irrigation of the Republic of Kazakhstan",
        mandate=(
            "Manages water resources: river basins, reservoirs, dams and the protection of water "
            "bodies and freshwater quality. It is responsible for irrigation and drainage systems, "
            "water-saving technologies in agriculture and the pricing of water supply. It leads "
            "cooperation with neighbouring countries on transboundary rivers."
        ),
    ),
    GovernmentBody(
        code="ASPR",
        name_kk="Қазақстан Республикасы Стратегиялық жоспарлау және реформалар агенттігі",
        name_ru="Агентство по стратегическому планированию и реформам Республики Казахстан",
        name_en="Agency for Strategic Planning and Reforms of the Republic of Kazakhstan",
        mandate=(
            "Directly accountable to the President, it runs the state planning system and "
            "prepares the national development plan. It designs and monitors public "
            "administration reform, including the Concept for the Development of Public "
            "Administration until 2030. It evaluates policy results, and its Bureau of National "
            "Statistics produces official statistics."
        ),
    ),
    GovernmentBody(
        code="ACSA",
        name_kk="Қазақстан Республикасы Мемлекеттік қызмет істері агенттігі",
        name_ru="Агентство Республики Казахстан по делам государственной службы",
        name_en="Agency for Civil Service Affairs of the Republic of Kazakhstan",
        mandate=(
            "Directly accountable to the President, it sets civil service policy: recruitment "
            "through competitions and testing, career development, performance appraisal, pay "
            "and ethics of civil servants. It runs the e-Qyzmet human resources information "
            "system. It also assesses and controls the quality of public services delivered to "
            "citizens and businesses."
        ),
    ),
)


def body_by_code(code: str) -> GovernmentBody:
    """The body with this code; KeyError if there is none."""
    for body in GOVERNMENT_BODIES:
        if body.code == code:
            return body
    raise KeyError(code)
