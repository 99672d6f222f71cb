"""The English demonstration drafts (civil service mobility, public sector innovation)."""

MOBILITY_TITLE = (
    "[Demonstration draft] Rules for the mobility of civil servants between state bodies"
)

MOBILITY_SUMMARY = (
    "[Demonstration draft] A training document written to demonstrate this platform; it is not "
    "an official proposal of the Agency for Civil Service Affairs. Modelled on the civil service "
    "reforms reviewed in the OECD Public Governance Scan of Kazakhstan, it proposes rules for "
    "transfers, secondments and temporary project assignments so that civil servants can gain "
    "experience across ministries, regions and policy areas."
)

MOBILITY_DRAFT = """\
## 1. Purpose and scope

These Rules set out how administrative civil servants of corps "B" may move between central
state bodies, between central and local executive bodies, and between policy areas during their
careers. Mobility is meant to spread skills and good practice across the public administration,
to give staff in the regions access to national policy work, and to reduce the isolation of
individual ministries. The Rules apply to voluntary transfers, secondments of up to twelve months
and temporary assignments to cross-government project teams. They do not apply to political
civil servants, to corps "A" appointments, or to law enforcement and military services, which
have their own rules on rotation. Nothing in these Rules reduces the guarantees provided by the
Law "On Civil Service of the Republic of Kazakhstan".

## 2. Current situation

Most civil servants in Kazakhstan spend their careers within a single state body. Internal
competitions favour candidates who already work in the organisation, and moving to another
ministry usually means resigning, passing a new competition and starting again in a lower
position. Rotation already applies to certain heads of territorial units, but it was designed as
an integrity safeguard rather than as career development. International experience, including
the OECD's work on Kazakhstan's civil service, suggests that structured mobility helps
governments build a shared culture, fill skill gaps quickly and prepare future senior managers.
Discussions with state bodies have also shown demand for short assignments to priority projects,
for example in digital transformation and strategic planning, which the current rules make
difficult to organise.

## 3. Forms of mobility

The Rules provide for three forms of mobility. A transfer moves a civil servant permanently to an
equivalent position in another state body through an inter-agency competition open only to
serving civil servants; the candidate keeps their category and length of service. A secondment
places a civil servant in another state body for three to twelve months while the home body
keeps the position open; the receiving body pays any difference in salary. A project assignment
lets a civil servant join a cross-government team working on a national priority for up to six
months, part-time or full-time, with the agreement of their line manager. All vacancies,
secondment offers and project calls are published in the e-Qyzmet system, where any civil
servant can see them and apply.

## 4. Merit, fairness and safeguards

Mobility must not become a route around merit-based recruitment. Every transfer and secondment
is decided by a selection commission that assesses competencies against the profile of the
position, and the reasons for each decision are recorded in e-Qyzmet. A civil servant may refuse
an offer of rotation without any effect on appraisal or promotion, except where rotation is
required by law. Time spent on secondment or project assignments counts towards length of
service and is taken into account in performance appraisal. Home bodies may not refuse a
secondment request for more than six months in a row without a written justification. The
Agency for Civil Service Affairs monitors the gender and regional balance of participants and
publishes aggregate data each year.

## 5. Implementation and evaluation

The Rules will be piloted from 2026 in five central state bodies and three regions before being
extended to the whole civil service. The Agency for Civil Service Affairs will adapt e-Qyzmet to
publish mobility opportunities, manage applications and record the outcomes of assignments, and
the Academy of Public Administration under the President will provide induction modules for
seconded staff. After the pilot, the Agency will evaluate the number and duration of moves, the
satisfaction of participants and managers, retention one year after return, and the effect on
the time needed to fill vacancies. The evaluation report and the comments received in this
consultation will be published together with the final version of the Rules. This is a
demonstration document with no legal effect.
"""

INNOVATION_TITLE = "[Demonstration draft] Public Sector Innovation Strategy 2026-2030"

INNOVATION_SUMMARY = (
    "[Demonstration draft] A training document written to demonstrate this platform; it is not "
    "an official proposal of the Ministry of Digital Development, Innovation and Aerospace "
    "Industry. Drawing on the innovation chapter of the OECD Public Governance Scan of "
    "Kazakhstan, it proposes how ministries and akimats can test new ideas, learn from them and "
    "scale the pilots that work."
)

INNOVATION_DRAFT = """\
## 1. Vision and rationale

Kazakhstan has built one of the most advanced e-government systems in its region, yet innovation
in how policies are designed and services are run still depends on individual enthusiasts and
one-off initiatives. This Strategy aims to make innovation a normal part of public
administration: a routine way for ministries, akimats and state companies to understand
citizens' needs, test new solutions on a small scale and adopt those that work. It covers
innovation in services, internal processes, policy design and regulation, not only digital
technology. The Strategy supports the Concept for the Development of Public Administration until
2030 and draws on the OECD's review of public sector innovation in Kazakhstan.

## 2. Where we stand

Earlier reforms created important foundations: the eGov portal and mobile services, project
offices in state bodies, open data and open budget portals, and the feedback channels of the
"Listening State". Several ministries and akimats have run pilots using service design,
behavioural insights and data analytics. However, these experiences are rarely documented or
shared, and successful pilots often end when their sponsors move on. Civil servants report that
procurement rules, annual budget cycles and strict audit practices discourage experimentation,
because a failed test can be treated as a misuse of funds. There is no common definition of
public sector innovation, no dedicated funding instrument, and little data on how much innovation
takes place across government.

## 3. Strategic objectives

The Strategy sets four objectives for 2030. First, every central state body has a named
innovation lead and an annual portfolio of experiments linked to its strategic plan. Second,
citizens and businesses take part in the design of new services through user research,
co-design workshops and the testing of prototypes before launch. Third, the government learns
systematically from experiments: results, including failures, are recorded in a shared registry
that any civil servant can consult. Fourth, successful pilots are scaled across regions within
two budget cycles, with clear ownership and funding. Progress against each objective will be
measured with indicators published on the open data portal.

## 4. Enablers: skills, funding, rules and data

Innovation needs capabilities and room to act. The Ministry will work with the Agency for Civil
Service Affairs and the Academy of Public Administration to add service design, data analysis
and experimentation methods to civil service training. A competitive innovation fund within
existing budget allocations will finance small experiments lasting up to twelve months, selected
by an inter-agency panel. The Ministry of Finance will be invited to issue guidance on innovation
procurement, including pre-commercial procurement and GovTech challenges open to local start-ups
and technology parks. Audit and control bodies will agree on principles that distinguish honest,
well-documented experiments from mismanagement. Data sharing between state bodies will rely on
the existing interoperability platform and respect the rules on personal data protection.

## 5. Governance and accountability

An inter-agency council on public sector innovation, chaired by a Deputy Prime Minister, will
steer the Strategy and review the portfolio of experiments twice a year. The Ministry of Digital
Development, Innovation and Aerospace Industry will act as its secretariat, maintain the registry
of experiments and publish an annual report on the state of public sector innovation. Each state
body will report on its innovation portfolio as part of its annual report on its strategic plan,
which its Public Council will discuss. The Strategy will be reviewed in 2028 on the basis of an
independent evaluation, and its targets adjusted where evidence shows them to be too modest or
unrealistic. This is a demonstration document with no legal effect.
"""
